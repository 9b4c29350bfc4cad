package dev.switchboard.datapath.rewrite;

import java.util.List;

import dev.switchboard.config.HostPort;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

/** What a rewriter may ask of the connection whose response it rewrites. */
public interface RewriteContext {

    /**
     * The gateway address that stands for an upstream node. Also tells the upstream cluster where that node is,
     * so the gateway can route to it.
     */
    HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort);

    /** Called with the API versions the client was told, which bound what it may send from now on. */
    void negotiated(List<ApiVersion> versions);
}
