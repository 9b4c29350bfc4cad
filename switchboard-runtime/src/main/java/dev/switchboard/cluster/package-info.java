/**
 * The upstream clusters behind the gateway and which one serves clients.
 *
 * <p>Each {@link dev.switchboard.cluster.UpstreamCluster} knows its brokers (from its own periodic discovery
 * and from every Metadata response that passes through) and whether it is reachable.
 * {@link dev.switchboard.cluster.UpstreamClusters} decides which cluster a new client connection is routed to;
 * failover changes that decision and nothing else in the data path.
 */
package dev.switchboard.cluster;
