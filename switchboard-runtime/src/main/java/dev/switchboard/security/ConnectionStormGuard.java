package dev.switchboard.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.switchboard.config.ConnectionLimitsConfig;
import dev.switchboard.datapath.ConnectionAdmission;
import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-storm guard, per principal and per client id, each on its own: a rate of new connections and of
 * new producer ids, and a ceiling on connections open at once. A connection beyond the rate has its turn reserved and
 * waits for it before any upstream connection opens, as a broker delays new connections (KIP-612); an InitProducerId
 * beyond its rate is delayed the same way; one that would wait longer than {@code maxWait} is refused, a connection
 * closed and an InitProducerId answered THROTTLING_QUOTA_EXCEEDED. One over the ceiling is closed at once. The
 * brokers so see at most the allowed rates, however many clients the storm has.
 *
 * <p>Bounded: at most {@link #MAX_KEYS} principals and client ids are kept, the least recently seen forgotten first
 * ({@code switchboard_storm_guard_keys_dropped_total}); a forgotten one starts with a full allowance.
 */
public final class ConnectionStormGuard implements ConnectionAdmission, InterceptorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionStormGuard.class);
    public static final int MAX_KEYS = 100_000;
    /** How long a client over a limit stays listed in status. */
    private static final Duration LISTED_FOR = Duration.ofMinutes(5);
    private static final int MAX_LISTED = 1_000;

    /** A client over one of its limits, as status lists it. */
    public record OverLimit(String client, String limit, long times, Instant lastAt) {
    }

    /** One principal's or client id's allowance: its next free turn per rate, and its connections open. */
    private static final class Allowance {
        long nextConnectionNanos;
        long nextProducerIdNanos;
        int open;
    }

    private final ConnectionLimitsConfig limits;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Allowance> allowances = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, OverLimit> over = new LinkedHashMap<>(16, 0.75f, true);

    public ConnectionStormGuard(ConnectionLimitsConfig limits, LongSupplier nanoTime, Clock clock, MeterRegistry registry) {
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.clock = clock;
        this.registry = registry;
    }

    @Override
    public String name() {
        return "connection-storm-guard";
    }

    @Override
    public synchronized Decision admit(ConnectionContext connection) {
        List<String> keys = keys(connection);
        for (String key : keys) {
            Allowance allowance = allowance(key);
            if (limits.maxConnections() > 0 && allowance.open >= limits.maxConnections()) {
                overLimit(key, "maxConnections");
                return new Refuse("connection_limit", key + " has " + allowance.open + " connections open, its limit"
                        + " (security.connectionLimits.maxConnections)");
            }
        }
        long delay = 0;
        if (limits.newConnectionsPerSecond() > 0) {
            long now = nanoTime.getAsLong();
            long interval = Duration.ofSeconds(1).toNanos() / limits.newConnectionsPerSecond();
            for (String key : keys) {
                delay = Math.max(delay, allowance(key).nextConnectionNanos - now);
            }
            if (delay > limits.maxWaitDuration().toNanos()) {
                keys.forEach(key -> overLimit(key, "newConnectionsPerSecond"));
                return new Refuse("connection_rate", String.join(" and ", keys) + " opened more than "
                        + limits.newConnectionsPerSecond() + " connections per second for longer than " + limits.maxWait()
                        + " (security.connectionLimits.newConnectionsPerSecond)");
            }
            for (String key : keys) {
                Allowance allowance = allowance(key);
                allowance.nextConnectionNanos = Math.max(allowance.nextConnectionNanos, now) + interval;
            }
            if (delay > 0) {
                keys.forEach(key -> overLimit(key, "newConnectionsPerSecond"));
                Counter.builder("switchboard.storm.guard.delayed").description("Connections and producer ids delayed for their turn")
                        .tag("limit", "newConnectionsPerSecond").register(registry).increment();
            }
        }
        keys.forEach(key -> allowance(key).open++);
        return delay > 0 ? new Wait(Duration.ofNanos(delay)) : ADMIT;
    }

    @Override
    public synchronized void closed(ConnectionContext connection) {
        for (String key : keys(connection)) {
            Allowance allowance = allowances.get(key);
            if (allowance != null && allowance.open > 0) {
                allowance.open--;
            }
        }
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Interceptor() {
            @Override
            public Interest interest() {
                return limits.newProducerIdsPerSecond() > 0 ? Interest.requests(ApiKeys.INIT_PRODUCER_ID) : Interest.NONE;
            }

            @Override
            public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                return producerId(context);
            }
        };
    }

    private synchronized RequestAction producerId(ConnectionContext connection) {
        List<String> keys = keys(connection);
        long now = nanoTime.getAsLong();
        long interval = Duration.ofSeconds(1).toNanos() / limits.newProducerIdsPerSecond();
        long delay = 0;
        for (String key : keys) {
            delay = Math.max(delay, allowance(key).nextProducerIdNanos - now);
        }
        if (delay > limits.maxWaitDuration().toNanos()) {
            keys.forEach(key -> overLimit(key, "newProducerIdsPerSecond"));
            return RequestAction.answerError(Errors.THROTTLING_QUOTA_EXCEEDED, String.join(" and ", keys) + " asked for more than "
                    + limits.newProducerIdsPerSecond() + " producer ids per second for longer than " + limits.maxWait()
                    + " (security.connectionLimits.newProducerIdsPerSecond)");
        }
        for (String key : keys) {
            Allowance allowance = allowance(key);
            allowance.nextProducerIdNanos = Math.max(allowance.nextProducerIdNanos, now) + interval;
        }
        if (delay <= 0) {
            return RequestAction.forward();
        }
        keys.forEach(key -> overLimit(key, "newProducerIdsPerSecond"));
        Counter.builder("switchboard.storm.guard.delayed").description("Connections and producer ids delayed for their turn")
                .tag("limit", "newProducerIdsPerSecond").register(registry).increment();
        return RequestAction.delay(Duration.ofNanos(delay), RequestAction.forward());
    }

    /** The clients over a limit in the last five minutes, most recent first. */
    public synchronized List<OverLimit> overLimits() {
        Instant since = clock.instant().minus(LISTED_FOR);
        List<OverLimit> recent = new ArrayList<>();
        for (OverLimit entry : over.values()) {
            if (entry.lastAt().isAfter(since)) {
                recent.add(0, entry);
            }
        }
        return recent;
    }

    private static List<String> keys(ConnectionContext connection) {
        List<String> keys = new ArrayList<>(2);
        keys.add("clientId:" + connection.clientId());
        connection.principal().ifPresent(principal -> keys.add("principal:" + principal));
        return keys;
    }

    private Allowance allowance(String key) {
        Allowance allowance = allowances.get(key);
        if (allowance == null) {
            if (allowances.size() >= MAX_KEYS) {
                var eldest = allowances.keySet().iterator();
                eldest.next();
                eldest.remove();
                Counter.builder("switchboard.storm.guard.keys.dropped").description("Principals and client ids the storm guard "
                        + "forgot, least recently seen first, because " + MAX_KEYS + " were kept").register(registry).increment();
            }
            allowance = new Allowance();
            allowances.put(key, allowance);
        }
        return allowance;
    }

    private void overLimit(String key, String limit) {
        Counter.builder("switchboard.storm.guard.over.limit").description("Times a principal or client id went over a limit")
                .tag("limit", limit).register(registry).increment();
        String listed = key + " " + limit;
        OverLimit known = over.get(listed);
        if (known == null) {
            LOG.warn("{} is over its connection limit {} (security.connectionLimits)", key, limit);
            if (over.size() >= MAX_LISTED) {
                var eldest = over.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        over.put(listed, new OverLimit(key, limit, known == null ? 1 : known.times() + 1, clock.instant()));
    }
}
