package dev.switchboard.failover;

import java.time.Instant;

/**
 * Which cluster serves clients, as of one switch.
 *
 * @param epoch         increases by at least one with every switch; the highest epoch anywhere wins
 * @param activeCluster the cluster clients are routed to
 * @param switchedAt    when the switch was written
 * @param requestedBy   who asked for it, as the audit log names them
 */
public record SwitchState(long epoch, String activeCluster, Instant switchedAt, String requestedBy) {

    public SwitchState {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        if (activeCluster == null || activeCluster.isBlank()) {
            throw new IllegalArgumentException("activeCluster is required");
        }
    }

    /** The state after switching to {@code cluster}: the next epoch. */
    public SwitchState next(String cluster, String requestedBy, Instant now) {
        return new SwitchState(epoch + 1, cluster, now, requestedBy);
    }
}
