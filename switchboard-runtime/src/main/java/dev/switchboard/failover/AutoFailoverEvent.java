package dev.switchboard.failover;

import java.time.Instant;
import java.util.Locale;

/**
 * One step of an automatic failover, as every instance reads it from the switch-state topic on the standby cluster.
 * That topic's one partition orders the steps the same way for every instance, so they agree without talking to each
 * other: in each round, the first proposal wins, and what comes first after it, a veto, a cancel or the proposer's
 * decision, settles the round.
 *
 * @param epoch      the switch-state epoch the failover would replace; a round is moot once the epoch moves
 * @param round      counts the outages of one epoch, from 1
 * @param by         the instance that proposed, cancelled or decided; the operator who vetoed
 * @param detectedAt when the proposer first judged the cluster down, without a break since
 * @param decideAt   when the veto window closes
 * @param reason     why a round was vetoed or cancelled; null otherwise
 * @param id         unique, so whoever wrote a step can tell when the topic gave it back
 */
public record AutoFailoverEvent(Kind kind, long epoch, int round, String from, String to, String by, Instant at,
                                Instant detectedAt, Instant decideAt, String reason, String id) {

    public enum Kind { PROPOSED, VETOED, CANCELLED, DECIDED }

    /** Where it is kept in the switch-state topic: one key per step, so compaction keeps every one. */
    String key() {
        return SwitchStateStore.AUTO_FAILOVER_KEY_PREFIX + epoch + "/" + round + "/" + kind.name().toLowerCase(Locale.ROOT) + "/" + id;
    }
}
