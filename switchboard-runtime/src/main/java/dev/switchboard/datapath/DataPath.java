package dev.switchboard.datapath;

import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.metrics.GatewayMetrics;

/** What every connection on the data path shares. All of it is safe to use from any event loop. */
public record DataPath(UpstreamClusters clusters, AddressRewriter addresses, ResponseRewriters rewriters,
                       UpstreamConnector connector, ConnectionRegistry connections, GatewayMetrics metrics,
                       int maxFrameBytes) {
}
