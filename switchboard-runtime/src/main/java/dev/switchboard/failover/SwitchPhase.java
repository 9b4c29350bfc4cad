package dev.switchboard.failover;

import java.time.Instant;

/**
 * Where a switch requested at this instance is.
 *
 * <pre>
 *   Idle ──unplanned──▶ Switching ──state written, connections closed──▶ Idle
 *     │
 *     └──planned──▶ HoldingProduce ──instances hold──▶ CatchingUp ──caught up──▶ Switching ──▶ Idle
 *                         │                               │
 *                         └───────────── timeout ─────────┴──▶ Aborting ──hold released──▶ Idle
 * </pre>
 */
public sealed interface SwitchPhase {

    record Idle() implements SwitchPhase {
    }

    /** Produce requests are held; waiting for every live instance to say it holds them too. */
    record HoldingProduce(String from, String to, Instant since, int instancesHolding, int instancesLive) implements SwitchPhase {
    }

    /** Waiting for replication: equal end offsets everywhere and group offsets synced. */
    record CatchingUp(String from, String to, Instant since, String progress) implements SwitchPhase {
    }

    record Switching(String from, String to, Instant since) implements SwitchPhase {
    }

    record Aborting(String from, String to, String reason) implements SwitchPhase {
    }

    default String name() {
        return getClass().getSimpleName();
    }
}
