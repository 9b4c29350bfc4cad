package dev.switchboard.cluster;

import java.time.Instant;
import java.util.Map;

import dev.switchboard.config.HostPort;

/**
 * What the gateway last learned about an upstream cluster. Immutable; replaced as a whole.
 *
 * @param clusterId  the cluster's own id, null until first seen
 * @param nodes      upstream node id to the broker address the cluster advertises
 * @param reachable  whether the last discovery call succeeded
 * @param lastError  why the last discovery failed, null when it succeeded
 * @param checkedAt  when discovery last ran, null before the first run
 */
public record ClusterView(String clusterId, Map<Integer, HostPort> nodes, boolean reachable, String lastError,
                          Instant checkedAt) {

    public static final ClusterView UNKNOWN = new ClusterView(null, Map.of(), false, "not checked yet", null);

    public ClusterView {
        nodes = Map.copyOf(nodes);
    }
}
