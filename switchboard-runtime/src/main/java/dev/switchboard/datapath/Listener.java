package dev.switchboard.datapath;

/** Which gateway port a client connected to, which decides where its connection goes upstream. */
public sealed interface Listener {

    int port();

    /** The one address clients configure: any broker of the active cluster serves it. */
    record Bootstrap(int port) implements Listener {
        @Override
        public String toString() {
            return "bootstrap";
        }
    }

    /** The port that stands for one node: connections go to that node of the active cluster. */
    record Node(int nodeId, int port) implements Listener {
        @Override
        public String toString() {
            return "node-" + nodeId;
        }
    }
}
