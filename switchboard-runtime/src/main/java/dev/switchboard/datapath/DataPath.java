package dev.switchboard.datapath;

import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.cluster.VirtualNodes;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.metrics.GatewayMetrics;

/**
 * What every connection on the data path shares. All of it is safe to use from any event loop.
 *
 * @param nodes     the node ids clients see, per cluster
 * @param clusterId the cluster id clients see
 * @param guard     what a cluster switch asks of connections
 */
public record DataPath(UpstreamClusters clusters, AddressRewriter addresses, ResponseRewriters rewriters,
                       UpstreamConnector connector, ConnectionRegistry connections, GatewayMetrics metrics,
                       int maxFrameBytes, VirtualNodes nodes, String clusterId, SwitchGuard guard, TopicNames topicNames) {
}
