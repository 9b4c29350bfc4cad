package dev.switchboard.config;

import java.time.Duration;

/**
 * The connection-storm guard: limits per principal and per client id, each on its own, for the outage where an
 * application makes a producer per request. Over a limit the gateway delays or refuses at its own door; the brokers
 * never see the storm.
 *
 * @param newConnectionsPerSecond new connections, each beyond the rate delayed until its turn (0 for no limit)
 * @param maxConnections          connections open at once; one more is closed at once (0 for no limit)
 * @param newProducerIdsPerSecond InitProducerId requests, each beyond the rate delayed until its turn (0 for no limit)
 * @param maxWait                 the longest a connection or an InitProducerId is delayed; one that would wait longer is
 *                                refused (default 5s)
 */
public record ConnectionLimitsConfig(Integer newConnectionsPerSecond, Integer maxConnections, Integer newProducerIdsPerSecond,
                                     String maxWait) {

    public ConnectionLimitsConfig {
        newConnectionsPerSecond = nonNegative(newConnectionsPerSecond, "newConnectionsPerSecond");
        maxConnections = nonNegative(maxConnections, "maxConnections");
        newProducerIdsPerSecond = nonNegative(newProducerIdsPerSecond, "newProducerIdsPerSecond");
        maxWait = maxWait == null ? "5s" : maxWait;
        try {
            Durations.parse(maxWait);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("maxWait", e.getMessage());
        }
    }

    public Duration maxWaitDuration() {
        return Durations.parse(maxWait);
    }

    private static Integer nonNegative(Integer value, String key) {
        int given = value == null ? 0 : value;
        ConfigException.require(given >= 0, key, "must be 0 (no limit) or more, was " + given);
        return given;
    }
}
