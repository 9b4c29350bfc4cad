package dev.switchboard.datapath;

import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.VirtualNodes;
import dev.switchboard.config.HostPort;

/** Turns an upstream node's address into the gateway address that stands for its virtual node. */
public final class AddressRewriter {

    private final String advertisedHost;
    private final NodePortMap ports;
    private final VirtualNodes nodes;

    public AddressRewriter(String advertisedHost, NodePortMap ports, VirtualNodes nodes) {
        this.advertisedHost = advertisedHost;
        this.ports = ports;
        this.nodes = nodes;
    }

    /** Also teaches {@code cluster} where the node is, so the node's port can route to it. */
    public HostPort gatewayAddress(UpstreamCluster cluster, int nodeId, String upstreamHost, int upstreamPort) {
        cluster.learnNode(nodeId, upstreamHost, upstreamPort);
        return new HostPort(advertisedHost, ports.portFor(nodes.virtualId(cluster.name(), nodeId)));
    }
}
