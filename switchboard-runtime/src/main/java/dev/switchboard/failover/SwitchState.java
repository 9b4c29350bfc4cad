package dev.switchboard.failover;

import java.time.Instant;

import dev.switchboard.failover.recovery.SwitchDecision;

/**
 * Which cluster serves clients, as of one switch.
 *
 * @param epoch         increases by at least one with every change; the highest epoch anywhere wins
 * @param activeCluster the cluster clients are routed to
 * @param switchedAt    when this state was written
 * @param requestedBy   who asked for it, as the audit log names them
 * @param hold          set while a planned switchover to another cluster holds produce requests on every
 *                      instance; null otherwise
 * @param requestedAt   when the operator asked for the switch: for a planned one, before its produce hold and
 *                      catch-up. The recovery time runs from here. Null in states written before it was recorded,
 *                      which then count from {@code switchedAt}.
 * @param decision      how the switch to this state was decided, for its recovery report; null for states that
 *                      switch nothing (a hold, its release) and states written before it was recorded
 * @param exactOffsets  for a planned switchover, the target group offsets it found exact when it switched; null
 *                      otherwise
 */
public record SwitchState(long epoch, String activeCluster, Instant switchedAt, String requestedBy, ProduceHold hold,
                          Instant requestedAt, SwitchDecision decision, ExactGroupOffsets exactOffsets) {

    /**
     * Produce requests wait at every instance while replication catches up for a planned switch to {@code target}.
     * An instance lets them go at {@code until} even if no later state arrives, so a coordinator that died
     * mid-switchover cannot stop producers for longer than that.
     */
    public record ProduceHold(String target, Instant until) {
    }

    public SwitchState {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        if (activeCluster == null || activeCluster.isBlank()) {
            throw new IllegalArgumentException("activeCluster is required");
        }
    }

    public SwitchState(long epoch, String activeCluster, Instant switchedAt, String requestedBy) {
        this(epoch, activeCluster, switchedAt, requestedBy, null, switchedAt, null, null);
    }

    /** The state after switching to {@code cluster}, asked for now: the next epoch. */
    public SwitchState next(String cluster, String requestedBy, Instant now) {
        return next(cluster, requestedBy, now, now);
    }

    /** The state after switching to {@code cluster}, asked for at {@code requestedAt}: the next epoch. */
    public SwitchState next(String cluster, String requestedBy, Instant now, Instant requestedAt) {
        return new SwitchState(epoch + 1, cluster, now, requestedBy, null, requestedAt, null, null);
    }

    /** The same state, recording how its switch was decided. */
    public SwitchState decidedBy(SwitchDecision how) {
        return new SwitchState(epoch, activeCluster, switchedAt, requestedBy, hold, requestedAt, how, exactOffsets);
    }

    /** The same state, carrying the group offsets its planned switchover found exact on the target. */
    public SwitchState withExactOffsets(ExactGroupOffsets offsets) {
        return new SwitchState(epoch, activeCluster, switchedAt, requestedBy, hold, requestedAt, decision, offsets);
    }

    /** The state that holds produce requests for a planned switch to {@code target}: the next epoch, same cluster. */
    public SwitchState holding(String target, Instant until, String requestedBy, Instant now) {
        return new SwitchState(epoch + 1, activeCluster, now, requestedBy, new ProduceHold(target, until), now, null, null);
    }

    /** When the switch to this state was asked for; see {@code requestedAt}. */
    public Instant requestedOrSwitchedAt() {
        return requestedAt != null ? requestedAt : switchedAt;
    }
}
