package dev.switchboard.bench;

import java.util.List;

/**
 * How the failover benchmark runs.
 *
 * @param producers         simulated producer applications, each with its own client id
 * @param consumers         simulated consumer-group members, each with its own client id
 * @param groups            consumer groups; group {@code g} reads topic {@code g}, which producers {@code i % groups == g} write
 * @param recordsPerSecond  records each producer sends per second, on a fixed schedule
 * @param warmUpSeconds     traffic before the switch
 * @param settleSeconds     traffic after every application is back, before the producers stop
 * @param plannedModes      the switches to measure, in order: true for planned, false for unplanned
 */
public record FailoverOptions(int producers, int consumers, int groups, int recordsPerSecond, int warmUpSeconds,
                              int settleSeconds, List<Boolean> plannedModes) {

    public FailoverOptions {
        if (producers < 1 || consumers < 1 || groups < 1 || groups > consumers || groups > producers
                || recordsPerSecond < 1 || recordsPerSecond > 1000 || warmUpSeconds < 1 || settleSeconds < 1
                || plannedModes.isEmpty()) {
            throw new IllegalArgumentException("failover bench options out of range: " + this);
        }
        plannedModes = List.copyOf(plannedModes);
    }

    /** Partitions per topic: one per member of its group, so every member has work. */
    int partitionsPerTopic() {
        return (consumers + groups - 1) / groups;
    }
}
