package dev.switchboard.datapath.rewrite;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

import dev.switchboard.config.HostPort;

/** Rewrites one node address whatever generated class carries it. */
final class NodeEndpoints {

    private NodeEndpoints() {
    }

    /** Returns false for the placeholder a broker sends when there is no node (id -1). */
    static boolean rewrite(RewriteContext context, int nodeId, String host, int port,
                           Consumer<String> setHost, IntConsumer setPort) {
        if (nodeId < 0) {
            return false;
        }
        HostPort gateway = context.gatewayAddress(nodeId, host, port);
        setHost.accept(gateway.host());
        setPort.accept(gateway.port());
        return true;
    }
}
