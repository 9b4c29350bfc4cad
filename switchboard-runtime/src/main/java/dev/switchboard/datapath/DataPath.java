package dev.switchboard.datapath;

import java.util.List;

import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.cluster.VirtualNodes;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.metrics.GatewayMetrics;

/**
 * What every connection on the data path shares. All of it is safe to use from any event loop.
 *
 * @param clusters      the upstream clusters, and which one is active
 * @param addresses     turns upstream node addresses into the gateway's
 * @param rewriters     what hides upstream addresses in responses
 * @param connector     opens upstream connections
 * @param connections   every open client connection
 * @param metrics       the gateway's metrics
 * @param maxFrameBytes the largest request a client may send
 * @param nodes         the node ids clients see, per cluster
 * @param clusterId     the cluster id clients see
 * @param topicNames    topic names by id, learned from metadata
 * @param interceptors  the features that see requests and responses, in order; each makes one interceptor per
 *                      connection
 * @param sasl          how clients authenticate, when the listener terminates SASL; null when clients do not
 *                      authenticate to the gateway
 * @param apiVersions   each cluster's API versions, for clients that have not authenticated yet
 * @param admission     whether a client connection may have an upstream connection (the connection-storm guard)
 */
public record DataPath(UpstreamClusters clusters, AddressRewriter addresses, ResponseRewriters rewriters,
                       UpstreamConnector connector, ConnectionRegistry connections, GatewayMetrics metrics,
                       int maxFrameBytes, VirtualNodes nodes, String clusterId, TopicNames topicNames,
                       List<InterceptorFactory> interceptors, ClientSasl sasl, ClusterApiVersions apiVersions,
                       ConnectionAdmission admission) {

    public DataPath {
        interceptors = List.copyOf(interceptors);
        apiVersions = apiVersions == null ? new ClusterApiVersions() : apiVersions;
        admission = admission == null ? ConnectionAdmission.ALWAYS : admission;
    }
}
