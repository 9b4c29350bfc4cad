package dev.switchboard.failover.recovery;

import java.time.Instant;

/**
 * How a switch was decided: who or what decided it, when the outage it answers was detected, and how long operators
 * had to veto it.
 *
 * @param decidedBy        the operator (as the audit log names them) or {@code auto-failover on instance <id>}
 * @param decidedAt        when the decision was taken
 * @param detectedAt       when the cluster switched from was first judged down, without a break since; null when
 *                         it was not judged down
 * @param vetoWindowMillis how long the automatic failover waited for a veto; null for a switch an operator asked for
 */
public record SwitchDecision(String decidedBy, Instant decidedAt, Instant detectedAt, Long vetoWindowMillis) {
}
