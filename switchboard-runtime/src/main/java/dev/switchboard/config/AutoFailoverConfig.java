package dev.switchboard.config;

import java.time.Duration;

/**
 * The automatic failover: once the active cluster has been judged down for {@code downFor}, an unplanned failover to
 * {@code to} starts after {@code vetoWindow}, unless an operator vetoes it.
 *
 * @param enabled    off unless true
 * @param to         the standby cluster to fail over to; required when enabled
 * @param downFor    how long the active cluster must have been judged down before the veto window opens (default 30s)
 * @param vetoWindow how long operators have to veto it (default 60s)
 */
public record AutoFailoverConfig(Boolean enabled, String to, String downFor, String vetoWindow) {

    public static final AutoFailoverConfig OFF = new AutoFailoverConfig(false, null, null, null);

    public AutoFailoverConfig {
        enabled = enabled != null && enabled;
        downFor = downFor == null ? "30s" : downFor;
        vetoWindow = vetoWindow == null ? "60s" : vetoWindow;
        DetectionConfig.positive(downFor, "downFor");
        try {
            Durations.parse(vetoWindow);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("vetoWindow", e.getMessage());
        }
        if (enabled) {
            ConfigException.require(to != null && !to.isBlank(), "to", "is required when enabled: the standby cluster to fail over to");
        }
    }

    public Duration judgedDownFor() {
        return Durations.parse(downFor);
    }

    public Duration vetoFor() {
        return Durations.parse(vetoWindow);
    }
}
