package dev.switchboard.failover.recovery;

import java.time.Instant;

/**
 * One role of one application after a switch.
 *
 * @param role      the role
 * @param backAt    its first success once the new cluster was active; null while it has none
 * @param failures  its responses that failed from then until {@code backAt} (or until now)
 * @param lastError the error of the last of them, as Kafka names it ({@code OUT_OF_ORDER_SEQUENCE_NUMBER}); null
 *                  when none failed
 */
public record RoleRecovery(Role role, Instant backAt, long failures, String lastError) {

    /** It has no success yet and its requests fail: what an operator looks at first. */
    public boolean failing() {
        return backAt == null && failures > 0;
    }
}
