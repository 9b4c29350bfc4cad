package dev.switchboard.failover;

import java.util.Map;

/**
 * The virtual node ids and their ports, as recorded in the switch-state topic so every instance, including one
 * started while a cluster is down, presents the same nodes at the same ports.
 *
 * @param clusters per cluster, real node id to virtual node id
 * @param ports    virtual node id to gateway port
 */
public record NodeMap(Map<String, Map<Integer, Integer>> clusters, Map<Integer, Integer> ports) {

    public NodeMap {
        clusters = clusters == null ? Map.of() : Map.copyOf(clusters);
        ports = ports == null ? Map.of() : Map.copyOf(ports);
    }
}
