package dev.switchboard.datapath;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.config.PortRange;

/**
 * Which gateway port stands for which node. Ports come from the configured range in the order nodes appear,
 * never change while the gateway runs, and are opened by the listener the moment they are handed out.
 *
 * <p>Nodes seen together are numbered in node-id order, so gateways that discover the same cluster hand out
 * the same ports.
 */
public final class NodePortMap {

    private final PortRange range;
    private final Map<Integer, Integer> portByNode = new ConcurrentHashMap<>();
    private final NewPort onNewNode;
    private int nextPort;

    /** Told of each port the moment it is handed out, to open it. */
    @FunctionalInterface
    public interface NewPort {
        void assigned(int nodeId, int port);
    }

    public NodePortMap(PortRange range, NewPort onNewNode) {
        this.range = range;
        this.onNewNode = onNewNode;
        this.nextPort = range.first();
    }

    /** The port for a node, handing one out if the node is new. */
    public int portFor(int nodeId) {
        Integer port = portByNode.get(nodeId);
        return port != null ? port : assign(nodeId);
    }

    /** Hands out ports for a set of nodes in id order, so that every gateway numbers them alike. */
    public void assignAll(Iterable<Integer> nodeIds) {
        java.util.TreeSet<Integer> sorted = new java.util.TreeSet<>();
        nodeIds.forEach(sorted::add);
        sorted.forEach(this::portFor);
    }

    public NavigableMap<Integer, Integer> snapshot() {
        return new TreeMap<>(portByNode);
    }

    private synchronized int assign(int nodeId) {
        Integer existing = portByNode.get(nodeId);
        if (existing != null) {
            return existing;
        }
        if (nextPort > range.last()) {
            throw new ProtocolViolation("node_ports_exhausted", "node port range " + range + " is used up: no port left for node " + nodeId
                    + "; widen listener.nodePorts");
        }
        int port = nextPort++;
        portByNode.put(nodeId, port);
        onNewNode.assigned(nodeId, port);
        return port;
    }
}
