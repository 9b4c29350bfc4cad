package dev.switchboard.datapath;

import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.HostPort;

/** Turns an upstream node's address into the gateway address that stands for it. */
public final class AddressRewriter {

    private final String advertisedHost;
    private final NodePortMap ports;

    public AddressRewriter(String advertisedHost, NodePortMap ports) {
        this.advertisedHost = advertisedHost;
        this.ports = ports;
    }

    /** Also teaches {@code cluster} where the node is, so the node's port can route to it. */
    public HostPort gatewayAddress(UpstreamCluster cluster, int nodeId, String upstreamHost, int upstreamPort) {
        cluster.learnNode(nodeId, upstreamHost, upstreamPort);
        return new HostPort(advertisedHost, ports.portFor(nodeId));
    }
}
