package dev.switchboard.datapath;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.config.PortRange;

/**
 * Which gateway port stands for which virtual node. Ports come from the configured range in the order nodes
 * appear, never change while the gateway runs, and are opened by the listener the moment they are handed out.
 *
 * <p>Nodes seen together are numbered in node-id order, and ports another instance recorded are adopted, so
 * gateway instances hand out the same ports.
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
        TreeSet<Integer> sorted = new TreeSet<>();
        nodeIds.forEach(sorted::add);
        sorted.forEach(this::portFor);
    }

    /**
     * Takes the ports another instance recorded, for nodes this one has not given a port yet and ports it has
     * not used; returns the nodes whose recorded port it could not take.
     */
    public synchronized List<Integer> adopt(Map<Integer, Integer> recorded) {
        List<Integer> conflicts = new ArrayList<>();
        for (Map.Entry<Integer, Integer> node : new TreeMap<>(recorded).entrySet()) {
            Integer mine = portByNode.get(node.getKey());
            if (mine != null && mine.equals(node.getValue())) {
                continue;
            }
            if (mine != null || portByNode.containsValue(node.getValue()) || !range.contains(node.getValue())) {
                conflicts.add(node.getKey());
                continue;
            }
            portByNode.put(node.getKey(), node.getValue());
            nextPort = Math.max(nextPort, node.getValue() + 1);
            onNewNode.assigned(node.getKey(), node.getValue());
        }
        return conflicts;
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
        while (portByNode.containsValue(nextPort)) {
            nextPort++;
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
