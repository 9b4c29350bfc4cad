package dev.switchboard.config;

import java.time.Duration;

/**
 * How the gateway judges the active cluster's health, whom it tells when the verdict turns, and whether it fails over
 * by itself.
 *
 * @param checkInterval      how often the active cluster is probed and its verdict worked out (default 2s)
 * @param window             how far back error rates and produce latency are measured (default 30s)
 * @param errorRate          the share of produce partition responses carrying a broker error, over {@code window},
 *                           at or above which the cluster is judged down (default 0.5)
 * @param minResponses       how many produce partition responses {@code window} must hold before its error rate or
 *                           latency counts, so that one failed send of an idle application judges nothing (default 20)
 * @param produceLatency     the mean time brokers took to answer produce requests over {@code window} at or above
 *                           which the cluster is judged degraded (default 2s)
 * @param alerts             where a turn of the verdict is sent besides the log and the metrics
 * @param autoFailover       the optional automatic failover; off unless configured
 */
public record DetectionConfig(String checkInterval, String window, Double errorRate, Integer minResponses,
                              String produceLatency, AlertConfig alerts, AutoFailoverConfig autoFailover) {

    public static final DetectionConfig DEFAULT = new DetectionConfig(null, null, null, null, null, null, null);

    public DetectionConfig {
        checkInterval = checkInterval == null ? "2s" : checkInterval;
        window = window == null ? "30s" : window;
        produceLatency = produceLatency == null ? "2s" : produceLatency;
        errorRate = errorRate == null ? Double.valueOf(0.5) : errorRate;
        minResponses = minResponses == null ? Integer.valueOf(20) : minResponses;
        Duration interval = positive(checkInterval, "checkInterval");
        Duration measured = positive(window, "window");
        ConfigException.require(measured.compareTo(interval) >= 0, "window",
                "must be at least checkInterval (" + checkInterval + "), was " + window);
        positive(produceLatency, "produceLatency");
        ConfigException.require(errorRate > 0 && errorRate <= 1, "errorRate",
                "must be a share above 0 and at most 1 (0.5 is half the responses), was " + errorRate);
        ConfigException.require(minResponses >= 1, "minResponses", "must be at least 1, was " + minResponses);
        alerts = alerts == null ? AlertConfig.DEFAULT : alerts;
        autoFailover = autoFailover == null ? AutoFailoverConfig.OFF : autoFailover;
    }

    public Duration checkEvery() {
        return Durations.parse(checkInterval);
    }

    public Duration measuredOver() {
        return Durations.parse(window);
    }

    public Duration produceLatencyLimit() {
        return Durations.parse(produceLatency);
    }

    /** Parses a duration that must be longer than zero, naming {@code key} when it is not. */
    static Duration positive(String text, String key) {
        try {
            Duration parsed = Durations.parse(text);
            ConfigException.require(!parsed.isZero(), key, "must be longer than zero");
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }
}
