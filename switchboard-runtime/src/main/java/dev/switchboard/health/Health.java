package dev.switchboard.health;

import java.util.Locale;

/** How well a cluster serves clients, worst last. */
public enum Health {
    /** Not judged yet: no check has finished since the gateway started or the cluster became active. */
    UNKNOWN,
    HEALTHY,
    /** Serving, but slowly: what a person should look at, not a reason to fail over. */
    DEGRADED,
    /** Not serving: no broker answers, partitions in use have no leader, or most produce requests fail. */
    DOWN;

    /** The lower-case name, as metrics and alert types use it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Health worst(Health a, Health b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
