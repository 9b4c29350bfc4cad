package dev.switchboard.cluster;

import java.time.Instant;
import java.util.List;

/**
 * What one health probe of a cluster found.
 *
 * @param reachable               whether any broker answered
 * @param error                   why none did; null when one did
 * @param brokers                 how many brokers the cluster listed
 * @param controllerKnown         whether the brokers named a controller. KRaft brokers name a live broker to clients
 *                                in its place, so none means they know of no live broker at all
 * @param partitionsWithoutLeader the partitions of the probed topics that have no leader, as {@code topic-partition}
 * @param at                      when the probe finished
 */
public record ClusterProbe(boolean reachable, String error, int brokers, boolean controllerKnown,
                           List<String> partitionsWithoutLeader, Instant at) {

    public ClusterProbe {
        partitionsWithoutLeader = List.copyOf(partitionsWithoutLeader);
    }

    static ClusterProbe unreachable(String error) {
        return new ClusterProbe(false, error, 0, false, List.of(), Instant.now());
    }
}
