package dev.switchboard.datapath.rewrite;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import dev.switchboard.config.HostPort;

/** Rewrites node identities whatever generated class carries them. */
final class NodeEndpoints {

    private NodeEndpoints() {
    }

    /**
     * Gives a node endpoint the node's virtual id and its gateway address. Returns false for the placeholder a
     * broker sends when there is no node (id -1).
     */
    static boolean rewrite(RewriteContext context, int nodeId, String host, int port,
                           IntConsumer setNodeId, Consumer<String> setHost, IntConsumer setPort) {
        if (nodeId < 0) {
            return false;
        }
        HostPort gateway = context.gatewayAddress(nodeId, host, port);
        setNodeId.accept(context.nodeId(nodeId));
        setHost.accept(gateway.host());
        setPort.accept(gateway.port());
        return true;
    }

    /** Translates a node id field; returns whether it changed. */
    static boolean translate(RewriteContext context, int nodeId, IntConsumer setNodeId) {
        int virtual = context.nodeId(nodeId);
        if (virtual == nodeId) {
            return false;
        }
        setNodeId.accept(virtual);
        return true;
    }

    /** Translates a list of node ids in place; returns whether any changed. */
    static boolean translate(RewriteContext context, List<Integer> nodeIds) {
        boolean changed = false;
        for (int i = 0; i < nodeIds.size(); i++) {
            int virtual = context.nodeId(nodeIds.get(i));
            if (virtual != nodeIds.get(i)) {
                nodeIds.set(i, virtual);
                changed = true;
            }
        }
        return changed;
    }
}
