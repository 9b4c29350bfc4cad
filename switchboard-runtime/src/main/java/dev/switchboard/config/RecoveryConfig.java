package dev.switchboard.config;

import java.time.Duration;

/**
 * Which applications the recovery report waits for after a switch, and how much it keeps per application.
 *
 * @param activeWindow    an application with no connection open at the switch must still come back if its last one
 *                        closed at most this long before the switch was requested (a job between two runs, a consumer
 *                        that restarted); older ones are reported as not running at the switch (default 60s)
 * @param forgetAfter     an application with no connection open is forgotten this long after its last one closed
 *                        (default 15m); at least {@code activeWindow}, so none is forgotten while it must come back
 * @param maxApplications at most this many applications are tracked; beyond it, the longest idle ones without a
 *                        connection are forgotten first (default 10,000)
 */
public record RecoveryConfig(String activeWindow, String forgetAfter, Integer maxApplications) {

    public static final Duration DEFAULT_ACTIVE_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(15);
    public static final int DEFAULT_MAX_APPLICATIONS = 10_000;
    public static final RecoveryConfig DEFAULT = new RecoveryConfig(null, null, null);

    public RecoveryConfig {
        Duration window = duration(activeWindow, "activeWindow", DEFAULT_ACTIVE_WINDOW);
        Duration forget = duration(forgetAfter, "forgetAfter", DEFAULT_FORGET_AFTER);
        ConfigException.require(forget.compareTo(window) >= 0, "forgetAfter",
                "must be at least activeWindow (" + Durations.format(window) + "), was " + Durations.format(forget));
        maxApplications = maxApplications == null ? DEFAULT_MAX_APPLICATIONS : maxApplications;
        ConfigException.require(maxApplications >= 1 && maxApplications <= 1_000_000, "maxApplications",
                "must be between 1 and 1000000, was " + maxApplications);
    }

    public Duration activeWindowDuration() {
        return duration(activeWindow, "activeWindow", DEFAULT_ACTIVE_WINDOW);
    }

    public Duration forgetAfterDuration() {
        return duration(forgetAfter, "forgetAfter", DEFAULT_FORGET_AFTER);
    }

    private static Duration duration(String text, String key, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }
}
