package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Chaos rules loaded at start, and how long a rule lasts when it gives no duration.
 *
 * @param defaultDuration how long a rule without {@code duration} lasts, so a forgotten rule cannot stay on for ever
 *                        (default 1h)
 * @param rules           rules in the shape the REST API takes; each is checked when the gateway starts
 * @param file            a YAML file with more rules, under a top-level {@code rules:} key
 */
public record ChaosConfig(String defaultDuration, List<Map<String, Object>> rules, String file) {

    public static final ChaosConfig DEFAULT = new ChaosConfig(null, null, null);
    public static final Duration DEFAULT_RULE_DURATION = Duration.ofHours(1);

    public ChaosConfig {
        if (defaultDuration != null) {
            try {
                Duration parsed = Durations.parse(defaultDuration);
                ConfigException.require(!parsed.isZero(), "defaultDuration", "must be longer than zero");
            } catch (IllegalArgumentException e) {
                throw new ConfigException("defaultDuration", e.getMessage());
            }
        }
        rules = rules == null ? List.of() : List.copyOf(rules);
        ConfigException.require(file == null || !file.isBlank(), "file", "must be a file path when set");
    }

    public Duration ruleDuration() {
        return defaultDuration == null ? DEFAULT_RULE_DURATION : Durations.parse(defaultDuration);
    }
}
