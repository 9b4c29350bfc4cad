package dev.switchboard.failover;

/**
 * Where the automatic failover stands for the current switch epoch, as this instance reads the standby's topic.
 *
 * <pre>
 *   Watching ──down for downFor──▶ Armed ──veto window over, still down──▶ Decided (the failover runs)
 *                                    │
 *                                    ├──operator vetoes──▶ Vetoed     (not again in this outage)
 *                                    └──judged up again──▶ Cancelled  (armed again by the next outage)
 * </pre>
 */
public sealed interface AutoFailoverState {

    /** Not configured. */
    record Off() implements AutoFailoverState {
    }

    /** Nothing armed. */
    record Watching() implements AutoFailoverState {
    }

    /** The veto window runs until {@code proposal.decideAt()}; {@code decidesHere} when this instance decides. */
    record Armed(AutoFailoverEvent proposal, boolean decidesHere) implements AutoFailoverState {
    }

    record Vetoed(AutoFailoverEvent proposal, AutoFailoverEvent veto) implements AutoFailoverState {
    }

    record Cancelled(AutoFailoverEvent proposal, AutoFailoverEvent cancel) implements AutoFailoverState {
    }

    record Decided(AutoFailoverEvent proposal, AutoFailoverEvent decision) implements AutoFailoverState {
    }

    default String name() {
        return getClass().getSimpleName();
    }
}
