package dev.switchboard.datapath.rewrite;

import java.util.List;

import dev.switchboard.config.HostPort;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

/** What a rewriter may ask of the connection whose response it rewrites. */
public interface RewriteContext {

    /**
     * The gateway address that stands for an upstream node. Also tells the upstream cluster where that node is,
     * so the gateway can route to it.
     */
    HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort);

    /** The id clients know an upstream node by: the same for every cluster behind the gateway. */
    int nodeId(int upstreamNodeId);

    /** The cluster id clients see, whichever cluster answers. */
    String clusterId();

    /** Records a topic's id on the cluster serving this connection, so requests that name topics by id can be read. */
    void learnTopic(Uuid topicId, String name);

    /** Called with the API versions the client was told, which bound what it may send from now on. */
    void negotiated(List<ApiVersion> versions);
}
