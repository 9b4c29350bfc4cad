package dev.switchboard.failover;

import java.time.Instant;

/**
 * What one gateway instance tells the others through the switch-state topic, every few seconds and whenever it
 * changes: that it is alive, which switch state it applied and whether it holds produce requests.
 *
 * @param holdingEpoch the epoch of the produce hold this instance applied, or -1 when it holds nothing
 */
public record InstanceReport(String instanceId, String host, Instant startedAt, Instant reportedAt, long appliedEpoch,
                             String activeCluster, long holdingEpoch) {
}
