package dev.switchboard.bench;

import java.util.List;

/**
 * How much to measure.
 *
 * @param rounds            A/B rounds per figure; the order alternates each round
 * @param records           records per producer and consumer run
 * @param recordSize        bytes per record
 * @param latencySeconds    length of each fixed-rate latency run, warm-up included
 * @param idleConnections   silent connections held open for the idle measurement
 * @param handshakeConnections connections that complete an ApiVersions round trip first, so each has an
 *                          upstream connection as well
 * @param brokerCounts      cluster shapes to measure; replication factor is min(brokers, 3)
 */
public record BenchOptions(int rounds, long records, int recordSize, int latencySeconds, int idleConnections,
                           int handshakeConnections, List<Integer> brokerCounts) {


    public BenchOptions {
        if (rounds < 1 || records < 1000 || recordSize < 16 || latencySeconds < 3 || idleConnections < 0
                || handshakeConnections < 0 || brokerCounts.isEmpty()) {
            throw new IllegalArgumentException("bench options out of range: " + this);
        }
        brokerCounts = List.copyOf(brokerCounts);
    }
}
