package dev.switchboard.bench;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.FailoverConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.config.PortRange;
import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.failover.SwitchPhase;
import dev.switchboard.failover.recovery.ApplicationRecovery;
import dev.switchboard.failover.recovery.AtSwitch;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.FreePorts;

/**
 * How long N applications take to come back through the gateway after a cluster switch, and what they lose or
 * see twice. Each mode gets fresh clusters {@code primary} and {@code secondary} (one broker each, in this JVM),
 * MirrorMaker 2 from primary to secondary (group offset sync on, 1 s intervals), and a gateway in this JVM in
 * front of primary; simulated applications send and consume through it, then the gateway switches to secondary.
 */
public final class FailoverBenchmark {

    static final long GOAL_BACK_MILLIS = 5_000;
    private static final Duration BACK_WAIT = Duration.ofSeconds(60);
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(30);

    private final FailoverOptions options;
    private final PrintWriter out;
    private final PrintStream progress;

    public FailoverBenchmark(FailoverOptions options, PrintWriter out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    /** What one switch measured. */
    record Result(boolean planned, long calledAt, ClusterSwitch.Outcome outcome, List<String> phases, Optional<RecoveryReport> report,
                  List<Long> gatewayRecoveredMillis, List<Long> producersBackMillis, List<Long> consumersBackMillis,
                  int applications, long acknowledged,
                  long unanswered, long lost, long duplicated, long duplicatesBefore, long duplicatesAcross,
                  long duplicatesAfter, long consumedNotAcknowledged, Map<String, Integer> sendErrors,
                  Map<String, Integer> commitErrors) {

        List<Long> clientBackMillis() {
            List<Long> all = new ArrayList<>(producersBackMillis);
            all.addAll(consumersBackMillis);
            return all;
        }
    }

    /** Runs every mode and returns whether every goal held. */
    public boolean run() throws Exception {
        out.printf("Switchboard failover benchmark: %d producers at %d records/s each, %d consumers in %d groups "
                        + "(%d partitions per topic), %d s warm-up, %d s of traffic after recovery.%n%n",
                options.producers(), options.recordsPerSecond(), options.consumers(), options.groups(),
                options.partitionsPerTopic(), options.warmUpSeconds(), options.settleSeconds());
        boolean goalsMet = true;
        for (boolean planned : options.plannedModes()) {
            goalsMet &= print(measure(planned));
            out.flush();
        }
        out.println(goalsMet ? "All goals met." : "Some goals were missed; see above.");
        out.flush();
        return goalsMet;
    }

    private Result measure(boolean planned) throws Exception {
        String mode = planned ? "planned" : "unplanned";
        progress.println("== " + mode + ": starting clusters, MirrorMaker 2 and the gateway");
        try (EmbeddedKafkaCluster primary = EmbeddedKafkaCluster.builder("primary").start();
             EmbeddedKafkaCluster secondary = EmbeddedKafkaCluster.builder("secondary").start()) {
            for (int group = 0; group < options.groups(); group++) {
                primary.createTopic(SimulatedApplications.topic(group), options.partitionsPerTopic(), 1);
            }
            EmbeddedMirrorMaker replication = EmbeddedMirrorMaker.builder(primary, secondary)
                    .interval(Duration.ofSeconds(1)).start();
            try {
                replication.awaitRunning();
                int bootstrapPort = FreePorts.next();
                int firstNodePort = FreePorts.range(20, bootstrapPort);
                GatewayConfig config = new GatewayConfig(
                        new ListenerConfig("127.0.0.1", "127.0.0.1", bootstrapPort,
                                new PortRange(firstNodePort, firstNodePort + 19), 0),
                        new AdminConfig("127.0.0.1", FreePorts.next()),
                        List.of(new ClusterConfig("primary", primary.bootstrapServers(), Map.of()),
                                new ClusterConfig("secondary", secondary.bootstrapServers(), Map.of())),
                        "primary", new FailoverConfig(30, null, null, null, null));
                try (Gateway gateway = Gateway.start(config);
                     SimulatedApplications apps = new SimulatedApplications(options, "127.0.0.1:" + bootstrapPort)) {
                    return drive(planned, primary, gateway, apps);
                }
            } finally {
                progress.println("== " + mode + ": stopping MirrorMaker 2");
                replication.close();
            }
        }
    }

    private Result drive(boolean planned, EmbeddedKafkaCluster primary, Gateway gateway, SimulatedApplications apps)
            throws Exception {
        String mode = planned ? "planned" : "unplanned";
        apps.startConsumers();
        waitFor(() -> apps.assignedConsumers.get() == options.consumers(), Duration.ofSeconds(60));
        progress.printf("== %s: %d of %d consumers have partitions; starting %d producers%n", mode,
                apps.assignedConsumers.get(), options.consumers(), options.producers());
        apps.startProducers();
        Thread.sleep(options.warmUpSeconds() * 1000L);

        if (!planned) {
            progress.println("== " + mode + ": stopping the primary's broker(s)");
            primary.nodeIds().forEach(primary::stopBroker);
        }
        long calledAt = System.currentTimeMillis();
        if (!planned) {
            apps.switchStarted(calledAt);
        }
        progress.println("== " + mode + ": gateway.failover(\"secondary\", " + planned + ", ...)");
        List<String> phases = new CopyOnWriteArrayList<>();
        Thread watcher = new Thread(() -> watchPhases(gateway, apps, calledAt, phases), "bench-phase-watcher");
        watcher.setDaemon(true);
        watcher.start();
        ClusterSwitch.Outcome outcome;
        try {
            outcome = gateway.failover("secondary", planned, "bench");
        } finally {
            watcher.interrupt();
            apps.switchStarted(System.currentTimeMillis()); // if the watcher missed the Switching phase
        }
        progress.printf("== %s: failover returned %s after %d ms: %s%n", mode, outcome.result(), outcome.tookMillis(),
                outcome.message());
        boolean back = waitFor(apps::allBack, BACK_WAIT);
        progress.printf("== %s: %s%n", mode, back ? "every application is back" : "not every application came back within " + BACK_WAIT);
        Thread.sleep(options.settleSeconds() * 1000L);

        progress.println("== " + mode + ": stopping producers; letting consumers drain");
        long unanswered = apps.stopProducers(DRAIN_WAIT);
        if (unanswered > 0) {
            progress.printf("== %s: %,d sends still unanswered %s after the producers stopped%n", mode, unanswered, DRAIN_WAIT);
        }
        waitFor(() -> apps.lost() == 0, DRAIN_WAIT);
        Thread.sleep(2000); // late duplicates
        Optional<RecoveryReport> report = gateway.lastRecovery();

        List<Long> producersBack = new ArrayList<>();
        List<Long> consumersBack = new ArrayList<>();
        apps.backAt.forEach((clientId, at) -> (SimulatedApplications.isProducer(clientId) ? producersBack : consumersBack)
                .add(at.get() == 0 ? null : at.get() - calledAt));
        List<Long> recovered = report.map(r -> r.applications().stream().filter(a -> a.atSwitch() == AtSwitch.RUNNING)
                .map(ApplicationRecovery::recoveredAfterMillis).toList()).orElse(List.of());
        return new Result(planned, calledAt, outcome, phases, report, recovered, producersBack, consumersBack, apps.backAt.size(),
                apps.acknowledged.size(), unanswered, apps.lost(), apps.duplicated(), apps.duplicatesBeforeSwitch.get(),
                apps.duplicatesAcrossSwitch.get(), apps.duplicatesAfterSwitch.get(), apps.consumedNotAcknowledged(),
                counts(apps.sendErrors), counts(apps.commitErrors));
    }

    /** Notes each phase of the switch with the milliseconds since the call, as {@code gateway.switchPhase()} shows it. */
    private static void watchPhases(Gateway gateway, SimulatedApplications apps, long calledAt, List<String> phases) {
        String last = "";
        while (!Thread.currentThread().isInterrupted()) {
            SwitchPhase current = gateway.switchPhase();
            String phase = current.name();
            if (phase.equals("Switching")) {
                apps.switchStarted(System.currentTimeMillis());
            }
            // What catch-up waits for, as the CLI shows it: where the time of a planned switch goes.
            String seen = current instanceof SwitchPhase.CatchingUp catchingUp
                    ? phase + " (" + catchingUp.progress() + ")" : phase;
            if (!seen.equals(last)) {
                phases.add(seen + " at " + (System.currentTimeMillis() - calledAt) + " ms");
                last = seen;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Map<String, Integer> counts(Map<String, AtomicInteger> counters) {
        Map<String, Integer> counts = new TreeMap<>();
        counters.forEach((name, count) -> counts.put(name, count.get()));
        return counts;
    }

    private boolean print(Result result) {
        String mode = result.planned() ? "Planned switchover" : "Unplanned failover (primary's broker stopped first)";
        out.println("### " + mode);
        out.println();
        ClusterSwitch.Outcome outcome = result.outcome();
        out.printf("failover(): %s in %,d ms; %d client connections closed; %s%n%n", outcome.result(), outcome.tookMillis(),
                outcome.connectionsClosed(), outcome.message());
        out.println("Phases seen during the call:");
        result.phases().forEach(phase -> out.println("- " + phase));
        if (outcome.catchUp() != null) {
            out.println("Catch-up at the switch: " + outcome.catchUp().summary());
        }
        result.report().ifPresent(r -> out.printf("The gateway's report measures from %s, %,d ms after the call.%n",
                r.requestedAt(), r.requestedAt().toEpochMilli() - result.calledAt()));
        out.println();
        Long rto = result.report().map(RecoveryReport::rtoMillis).orElse(null);
        out.println("| figure | value |");
        out.println("| --- | ---: |");
        out.printf("| applications (clients) | %d |%n", result.applications());
        out.printf("| gateway report: applications back | %d of %d |%n",
                result.gatewayRecoveredMillis().stream().filter(m -> m != null).count(), result.gatewayRecoveredMillis().size());
        out.printf("| gateway report: recoveredAfterMillis p50 | %s |%n", percentile(result.gatewayRecoveredMillis(), 50));
        out.printf("| gateway report: recoveredAfterMillis p100 | %s |%n", percentile(result.gatewayRecoveredMillis(), 100));
        out.printf("| gateway report: rtoMillis | %s |%n", rto == null ? "none" : String.format("%,d", rto));
        out.printf("| clients' view: first success once the switch began, p50 ms from the call | %s |%n", percentile(result.clientBackMillis(), 50));
        out.printf("| clients' view: first success once the switch began, p100 ms from the call | %s |%n", percentile(result.clientBackMillis(), 100));
        out.printf("| clients' view, producers (first acknowledged send): p50, p100 ms | %s, %s |%n",
                percentile(result.producersBackMillis(), 50), percentile(result.producersBackMillis(), 100));
        out.printf("| clients' view, consumers (first record polled): p50, p100 ms | %s, %s |%n",
                percentile(result.consumersBackMillis(), 50), percentile(result.consumersBackMillis(), 100));
        out.printf("| records acknowledged to producers | %,d |%n", result.acknowledged());
        out.printf("| sends unanswered %d s after the producers stopped | %,d |%n", DRAIN_WAIT.toSeconds(), result.unanswered());
        out.printf("| lost (acknowledged, never consumed by its group) | %,d |%n", result.lost());
        out.printf("| duplicated (consumed more than once; extra copies) | %,d |%n", result.duplicated());
        out.printf("| duplicates: both copies before the switch began | %,d |%n", result.duplicatesBefore());
        out.printf("| duplicates: first copy before, again after (re-read on the new cluster) | %,d |%n", result.duplicatesAcross());
        out.printf("| duplicates: both copies after the switch began | %,d |%n", result.duplicatesAfter());
        out.printf("| consumed but never acknowledged | %,d |%n", result.consumedNotAcknowledged());
        out.printf("| producer send errors | %s |%n", result.sendErrors().isEmpty() ? "none" : result.sendErrors());
        out.printf("| consumer commit errors | %s |%n", result.commitErrors().isEmpty() ? "none" : result.commitErrors());
        out.println();
        result.report().ifPresent(r -> {
            if (r.note() != null) {
                out.println("Report note: " + r.note());
            }
            if (!r.notBack().isEmpty()) {
                out.println("Not back per the gateway: " + r.notBack());
            }
        });
        boolean met = true;
        long slowest = Math.max(maxOrMax(result.gatewayRecoveredMillis()), maxOrMax(result.clientBackMillis()));
        met &= goal(slowest <= GOAL_BACK_MILLIS, "every application back within 5 s",
                slowest == Long.MAX_VALUE ? "some never came back" : String.format("%,d ms", slowest));
        if (result.planned()) {
            met &= goal(result.lost() == 0, "planned: 0 lost", String.format("%,d", result.lost()));
            met &= goal(result.duplicated() == 0, "planned: 0 duplicated", String.format("%,d", result.duplicated()));
        }
        out.println();
        return met;
    }

    private boolean goal(boolean met, String goal, String value) {
        out.printf("- %s %s: %s%n", met ? "MET   " : "MISSED", goal, value);
        return met;
    }

    private static long maxOrMax(List<Long> values) {
        if (values.isEmpty() || values.contains(null)) {
            return Long.MAX_VALUE;
        }
        return values.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    /** Nearest-rank percentile; applications not back count as slowest. */
    static String percentile(List<Long> values, int percent) {
        if (values.isEmpty()) {
            return "no data";
        }
        List<Long> sorted = values.stream().map(v -> v == null ? Long.MAX_VALUE : v).sorted().toList();
        int rank = Math.max(1, (int) Math.ceil(percent / 100.0 * sorted.size()));
        long value = sorted.get(rank - 1);
        return value == Long.MAX_VALUE ? "not back" : String.format("%,d", value);
    }

    private static boolean waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
