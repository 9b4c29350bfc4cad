package dev.switchboard.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.switchboard.alert.Alert;
import dev.switchboard.alert.Alerts;
import dev.switchboard.cluster.ClusterProbe;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.config.Durations;
import dev.switchboard.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the active cluster every check interval, on one thread of its own. A check probes the cluster and reads the
 * produce outcomes and latency of the window; the verdict is the worst finding. When the verdict's health changes,
 * an alert is raised; after every check, the listeners hear the verdict. A switch to another cluster starts its
 * verdict afresh, as unknown.
 */
public final class HealthJudge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthJudge.class);
    /** The longest a probe may take; an Admin request to a dead broker gives up after 5 s by itself. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final int LISTED_PARTITIONS = 5;

    /** Cumulative counts at one check, the window's ends. */
    private record Sample(Instant at, ProduceOutcomes.Snapshot outcomes, long latencyCount, double latencyMillis) {
    }

    private final DetectionConfig config;
    private final UpstreamClusters clusters;
    private final BrokerErrors brokerErrors;
    private final GatewayMetrics metrics;
    private final Alerts alerts;
    private final Function<String, List<String>> simulatedOutages;
    private final String instanceId;
    private final Clock clock;
    private final List<Consumer<Verdict>> listeners = new CopyOnWriteArrayList<>();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Map<Health, Counter> turns = new EnumMap<>(Health.class);
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "switchboard-health");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Verdict verdict;

    /**
     * @param simulatedOutages the chaos rules that make a cluster count as down (see {@code triggersFailover} on the
     *                         outage fault), by cluster name
     */
    public HealthJudge(DetectionConfig config, UpstreamClusters clusters, BrokerErrors brokerErrors, GatewayMetrics metrics,
                       Alerts alerts, Function<String, List<String>> simulatedOutages, String instanceId, Clock clock) {
        this.config = config;
        this.clusters = clusters;
        this.brokerErrors = brokerErrors;
        this.metrics = metrics;
        this.alerts = alerts;
        this.simulatedOutages = simulatedOutages;
        this.instanceId = instanceId;
        this.clock = clock;
        this.verdict = Verdict.unknown(clusters.active().name(), clock.instant());
        for (Health health : Health.values()) {
            Gauge.builder("switchboard.health.verdict", () -> verdict.health() == health ? 1 : 0)
                    .description("The active cluster's health verdict: 1 for the verdict now, 0 for the others")
                    .tag("verdict", health.label()).register(metrics.registry());
            turns.put(health, Counter.builder("switchboard.health.turns").description("Times the verdict turned, by what it turned to")
                    .tag("verdict", health.label()).register(metrics.registry()));
        }
        Gauge.builder("switchboard.health.produce.error.rate", () -> orNaN(verdict.produceErrorRate()))
                .description("Share of produce partition responses with a broker error over the window; NaN while too few")
                .register(metrics.registry());
        Gauge.builder("switchboard.health.produce.latency", () -> orNaN(verdict.produceLatencyMillis()) / 1000)
                .description("The brokers' mean produce latency over the window; NaN while too few").baseUnit("seconds")
                .register(metrics.registry());
    }

    /** Checks now, then every check interval. */
    public void start() {
        long every = config.checkEvery().toMillis();
        checker.scheduleWithFixedDelay(this::check, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Told the verdict after every check, on the judge's thread; must not block for long. */
    public void onVerdict(Consumer<Verdict> listener) {
        listeners.add(listener);
    }

    public Verdict verdict() {
        return verdict;
    }

    private void check() {
        try {
            judge();
        } catch (RuntimeException e) {
            LOG.warn("Health check failed: {}", e.toString());
            LOG.debug("Health check failure", e);
        }
    }

    private void judge() {
        UpstreamCluster cluster = clusters.active();
        if (!cluster.name().equals(verdict.cluster())) {
            samples.clear();
            verdict = Verdict.unknown(cluster.name(), clock.instant());
        }
        ClusterProbe probe = probe(cluster);
        Instant now = clock.instant();
        Timer latency = metrics.upstreamProduceLatency(cluster.name());
        samples.addLast(new Sample(now, brokerErrors.snapshot(cluster.name()), latency.count(),
                latency.totalTime(TimeUnit.MILLISECONDS)));
        Instant windowStart = now.minus(config.measuredOver());
        // Keep the newest sample at or before the window's start: the baseline the window is measured from.
        while (samples.size() > 1 && !second().at().isAfter(windowStart)) {
            samples.removeFirst();
        }
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        List<Finding> findings = new ArrayList<>(probeFindings(cluster.name(), probe));
        simulatedOutages.apply(cluster.name()).forEach(rule -> findings.add(new Finding("chaos-outage", Health.DOWN,
                "chaos rule '" + rule + "' simulates an outage of cluster " + cluster.name() + " and says triggersFailover")));

        long responses = last.outcomes().partitions() - first.outcomes().partitions();
        long errored = last.outcomes().errored() - first.outcomes().errored();
        Double errorRate = responses >= config.minResponses() ? (double) errored / responses : null;
        if (errorRate != null && errorRate >= config.errorRate()) {
            findings.add(new Finding("produce-errors", Health.DOWN, String.format("%.0f%% of %d produce partition responses in the"
                    + " last %s carried a broker error (%s)", errorRate * 100, responses, config.window(), errorsBetween(first, last))));
        }
        long answered = last.latencyCount() - first.latencyCount();
        Double meanLatency = answered >= config.minResponses() ? (last.latencyMillis() - first.latencyMillis()) / answered : null;
        if (meanLatency != null && meanLatency >= config.produceLatencyLimit().toMillis()) {
            findings.add(new Finding("produce-latency", Health.DEGRADED, String.format("brokers took %.0f ms on average to answer"
                    + " %d produce requests in the last %s (limit %s)", meanLatency, answered, config.window(), config.produceLatency())));
        }
        Health health = findings.stream().map(Finding::health).reduce(Health.HEALTHY, Health::worst);
        Verdict previous = verdict;
        Instant since = previous.health() == health ? previous.since() : now;
        verdict = new Verdict(cluster.name(), health, since, now, findings, responses, errorRate, meanLatency);
        if (previous.health() != health) {
            turned(previous, verdict);
        }
        listeners.forEach(listener -> listener.accept(verdict));
    }

    private Sample second() {
        Iterator<Sample> oldestFirst = samples.iterator();
        oldestFirst.next();
        return oldestFirst.next();
    }

    private ClusterProbe probe(UpstreamCluster cluster) {
        try {
            return cluster.probe(brokerErrors.topicsInUse(cluster.name())).get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing cluster " + cluster.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            return new ClusterProbe(false, "the probe did not finish within " + Durations.format(PROBE_TIMEOUT), 0, false,
                    List.of(), clock.instant());
        }
    }

    private static List<Finding> probeFindings(String cluster, ClusterProbe probe) {
        if (!probe.reachable()) {
            return List.of(new Finding("brokers-reachable", Health.DOWN, "no broker of cluster " + cluster + " answered: " + probe.error()));
        }
        List<Finding> findings = new ArrayList<>();
        if (!probe.controllerKnown()) {
            findings.add(new Finding("controller", Health.DOWN, "the brokers of cluster " + cluster + " name no controller"));
        }
        List<String> leaderless = probe.partitionsWithoutLeader();
        if (!leaderless.isEmpty()) {
            String listed = leaderless.stream().sorted().limit(LISTED_PARTITIONS).collect(Collectors.joining(", "))
                    + (leaderless.size() > LISTED_PARTITIONS ? ", …" : "");
            findings.add(new Finding("partition-leaders", Health.DOWN, leaderless.size() + " partitions produced to have no"
                    + " leader: " + listed));
        }
        return findings;
    }

    private static String errorsBetween(Sample first, Sample last) {
        return last.outcomes().byError().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - first.outcomes().byError().getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private void turned(Verdict previous, Verdict now) {
        turns.get(now.health()).increment();
        if (previous.health() == Health.UNKNOWN && now.health() == Health.HEALTHY) {
            LOG.info("Cluster {} judged healthy", now.cluster());
            return; // the first verdict of a healthy cluster is no news
        }
        Alert.Severity severity = switch (now.health()) {
            case DOWN -> Alert.Severity.CRITICAL;
            case DEGRADED -> Alert.Severity.WARNING;
            default -> Alert.Severity.INFO;
        };
        alerts.fire(new Alert("health." + now.health().label(), severity, now.cluster(),
                "cluster " + now.cluster() + " is judged " + now.health().label() + " (was " + previous.health().label() + ")",
                now.evidence(), now.checkedAt(), instanceId));
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
