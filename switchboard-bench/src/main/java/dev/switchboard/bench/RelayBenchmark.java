package dev.switchboard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;

/**
 * What relaying costs in CPU: the gateway's CPU seconds per GB relayed, producing and consuming, beside HAProxy
 * in TCP mode relaying the same load to the same broker in the same run, the floor that any relay of the bytes
 * pays; with throughput direct, through the gateway and through HAProxy. CPU per GB holds still on a shared
 * machine, where throughput swings with whatever else runs.
 *
 * <p>One broker, in this JVM, has two client listeners: direct clients and the gateway use its own, and HAProxy
 * forwards to a relayed one that advertises HAProxy's port, so clients that bootstrap through HAProxy stay on it.
 * Kafka's ProducerPerformance and ConsumerPerformance run as child JVMs, the gateway and HAProxy as processes of
 * their own whose CPU time is read from /proc. A warm-up round is run and discarded; then the order of direct,
 * gateway and HAProxy rotates each round. Without haproxy installed, the HAProxy column is left out.
 */
public final class RelayBenchmark {

    /** The goal: the gateway's CPU per GB at most this many times HAProxy's, on each side. */
    static final double GOAL_RATIO = 1.2;
    /** One thread, as the gateway relays one connection on one event loop. */
    static final int HAPROXY_THREADS = 1;
    private static final String RELAYED_LISTENER = "RELAYED";
    private static final int PARTITIONS = 6;
    private static final int IDLE_SECONDS = 10;
    /**
     * Runs of the gateway in the warm-up round; direct and HAProxy (no JIT of its own) get one. With one, the
     * gateway's JIT log showed its hot paths ({@code ClientConnection.channelRead}, {@code EpollIoHandler.run})
     * still in C1's profiling tier after it, since on two busy cores C2's queue is long and its thresholds scale up
     * with it; and once compiled, deoptimised again when the next run's new connections took branches the
     * profile had not seen. Either way C2 ran through the next run, which cost 4-6 times the gateway's CPU per GB
     * of the runs after it.
     */
    static final int GATEWAY_WARM_UP_RUNS = 3;

    /** How clients reach the broker. */
    enum Via {
        DIRECT("direct"), GATEWAY("gateway"), HAPROXY("HAProxy");

        final String label;

        Via(String label) {
            this.label = label;
        }
    }

    /** Where clients going {@code via} bootstrap, and the CPU time of the process that relays for them (direct: 0). */
    private record Endpoint(Via via, String bootstrap, LongSupplier cpuNanos) {
    }

    /** One producer run, the consumer run that read its records back, and what the relay spent on each. */
    record Run(int round, Via via, KafkaPerfTools.ProducerResult produced, KafkaPerfTools.ConsumerResult consumed,
               double busyCores, RelayCpu producing, RelayCpu consuming) {
    }

    private final RelayOptions options;
    private final PrintWriter out;
    private final PrintStream progress;
    private int topics;

    public RelayBenchmark(RelayOptions options, PrintWriter out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    /** Runs the warm-up and every round and prints the tables; false when a goal was measured and missed. */
    public boolean run() {
        Optional<Path> haproxy = HaproxyProcess.executable();
        String haproxyVersion = haproxy.map(HaproxyProcess::version).orElse(HaproxyProcess.NOT_FOUND);
        progress.println("== relay: " + (haproxy.isPresent() ? haproxyVersion : HaproxyProcess.NOT_FOUND
                + "; measuring direct and gateway only"));
        String loadBefore = loadAverage();
        int haproxyPort = FreePorts.next();
        List<Run> runs = new ArrayList<>();
        List<JsonNode> chaosAtEnd = List.of();
        Map<Via, Double> idle;
        List<Via> vias;
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("bench-relay")
                .relayedListener(RELAYED_LISTENER, Map.of(0, "127.0.0.1:" + haproxyPort)).start();
             GatewayProcess gateway = GatewayProcess.start(cluster, options.strictRequests(), options.chaosRules(), options.rewrittenProducerIds())) {
            awaitChaosRulesInForce(gateway);
            Optional<HaproxyProcess> haproxyProcess = haproxy.map(executable -> HaproxyProcess.start(executable,
                    new HaproxyConfig(haproxyPort, cluster.listenerAddress(0, RELAYED_LISTENER), HAPROXY_THREADS)));
            try {
                List<Endpoint> endpoints = new ArrayList<>(List.of(
                        new Endpoint(Via.DIRECT, cluster.bootstrapServers(), () -> 0),
                        new Endpoint(Via.GATEWAY, gateway.bootstrap(), gateway::cpuNanos)));
                haproxyProcess.ifPresent(process -> endpoints.add(new Endpoint(Via.HAPROXY, process.bootstrap(), process::cpuNanos)));
                vias = endpoints.stream().map(Endpoint::via).toList();
                warmUp(endpoints, cluster);
                idle = idleCpuPercent(endpoints);
                for (int round = 1; round <= options.rounds(); round++) {
                    for (Endpoint endpoint : rotation(endpoints, round)) {
                        Run run = measure(round, endpoint, cluster);
                        runs.add(run);
                        progress.println(describe(run));
                    }
                }
                if (!options.chaosRules().isEmpty()) {
                    chaosAtEnd = gateway.chaosRules();
                }
            } finally {
                haproxyProcess.ifPresent(HaproxyProcess::close);
            }
        }
        return report(runs, vias, idle, haproxyVersion, loadBefore, loadAverage(), chaosAtEnd);
    }

    /** Fails before any run unless the gateway lists every rule it was given: a figure "with rules" must have them. */
    private void awaitChaosRulesInForce(GatewayProcess gateway) {
        if (options.chaosRules().isEmpty()) {
            return;
        }
        List<String> given = options.chaosRules().stream().map(rule -> rule.path("name").asText()).toList();
        List<String> listed = gateway.chaosRules().stream().map(rule -> rule.path("name").asText()).toList();
        if (!listed.containsAll(given)) {
            throw new IllegalStateException("the gateway lists chaos rules " + listed + ", not all of " + given);
        }
        progress.println("chaos rules in force at the gateway: " + given);
    }

    /** Round 0, not counted: the JIT matters, a cold gateway spends as much CPU compiling as relaying (BENCHMARKS.md). */
    private void warmUp(List<Endpoint> endpoints, EmbeddedKafkaCluster cluster) {
        for (Endpoint endpoint : endpoints) {
            for (int run = 0; run < (endpoint.via() == Via.GATEWAY ? GATEWAY_WARM_UP_RUNS : 1); run++) {
                measure(0, endpoint, cluster);
            }
            progress.println("warm-up " + endpoint.via().label + " done");
        }
    }

    /** The order of round {@code round} (1-based): the list rotated by one more place each round. */
    static <T> List<T> rotation(List<T> items, int round) {
        int shift = Math.floorMod(round - 1, items.size());
        List<T> rotated = new ArrayList<>(items.subList(shift, items.size()));
        rotated.addAll(items.subList(0, shift));
        return rotated;
    }

    private Run measure(int round, Endpoint endpoint, EmbeddedKafkaCluster cluster) {
        String topic = "relay-" + endpoint.via().name().toLowerCase(Locale.ROOT) + "-" + round + "-" + (++topics);
        cluster.createTopic(topic, PARTITIONS, 1);
        long before = endpoint.cpuNanos().getAsLong();
        MachineCpu machineBefore = MachineCpu.now();
        KafkaPerfTools.ProducerResult produced = KafkaPerfTools.produce(endpoint.bootstrap(), topic, options.records(),
                options.recordSize());
        long afterProducing = endpoint.cpuNanos().getAsLong();
        double busyCores = MachineCpu.now().busyCoresSince(machineBefore);
        KafkaPerfTools.ConsumerResult consumed = KafkaPerfTools.consume(endpoint.bootstrap(), topic, options.records(), topic);
        long afterConsuming = endpoint.cpuNanos().getAsLong();
        GatewayBenchmark.deleteTopic(cluster, topic);
        if (consumed.records() < options.records()) {
            throw new IllegalStateException("the consumer read " + consumed.records() + " of " + options.records()
                    + " records, " + endpoint.via().label);
        }
        return new Run(round, endpoint.via(), produced, consumed, busyCores,
                new RelayCpu(afterProducing - before, produced.records() * options.recordSize()),
                new RelayCpu(afterConsuming - afterProducing, consumed.bytes()));
    }

    /** What each relay spends doing nothing, over the same seconds: part of every figure, shown so it can be told apart. */
    private static Map<Via, Double> idleCpuPercent(List<Endpoint> endpoints) {
        List<Endpoint> relays = endpoints.stream().filter(endpoint -> endpoint.via() != Via.DIRECT).toList();
        long[] before = relays.stream().mapToLong(endpoint -> endpoint.cpuNanos().getAsLong()).toArray();
        GatewayBenchmark.sleepSeconds(IDLE_SECONDS);
        Map<Via, Double> percent = new EnumMap<>(Via.class);
        for (int i = 0; i < relays.size(); i++) {
            percent.put(relays.get(i).via(), (relays.get(i).cpuNanos().getAsLong() - before[i]) / 1e9 / IDLE_SECONDS * 100);
        }
        return percent;
    }

    private static String describe(Run run) {
        String line = String.format("round %d %-7s producer %,.0f rec/s %.1f MB/s, consumer %,.0f rec/s %.1f MB/s (fetch)",
                run.round(), run.via().label, run.produced().recordsPerSec(), run.produced().mbPerSec(),
                run.consumed().fetchRecordsPerSec(), run.consumed().fetchMbPerSec());
        return run.via() == Via.DIRECT ? line : line + String.format(
                "; relay CPU %.2f s producing (%.3f s/GB), %.2f s consuming (%.3f s/GB)", run.producing().cpuSeconds(),
                run.producing().secondsPerGb(), run.consuming().cpuSeconds(), run.consuming().secondsPerGb());
    }

    /** Prints the tables for {@code runs} over {@code vias}; false when a goal was measured and missed. */
    boolean report(List<Run> runs, List<Via> vias, Map<Via, Double> idle, String haproxyVersion, String loadBefore,
                   String loadAfter, List<JsonNode> chaosAtEnd) {
        boolean withHaproxy = vias.contains(Via.HAPROXY);
        List<Via> relays = vias.stream().filter(via -> via != Via.DIRECT).toList();
        out.println("### Relay cost: the gateway's CPU per GB beside HAProxy's, 1 broker\n");
        out.printf("%d round%s after a discarded warm-up round (in which the gateway runs %d times, the others once), %,d "
                        + "records of %,d bytes per run, acks=all; the order of %s rotates each round. HAProxy: %s. Bytes "
                        + "relayed: producing, records sent × record size; consuming, the key and value bytes "
                        + "ConsumerPerformance counted. GB = 10^9 bytes. Gateway: listener.strictRequests %s; %s%s. Load average "
                        + "(1, 5, 15 min) %s at the start, %s at the end.%n%n",
                options.rounds(), options.rounds() == 1 ? "" : "s", GATEWAY_WARM_UP_RUNS, options.records(), options.recordSize(),
                String.join(", ", vias.stream().map(via -> via.label).toList()),
                withHaproxy ? haproxyVersion + ", TCP mode, nbthread " + HAPROXY_THREADS + ", default buffers, no splicing"
                        : HaproxyProcess.NOT_FOUND, options.strictRequests() ? "on" : "off",
                options.chaosRules().isEmpty() ? "no chaos rules" : options.chaosRules().size() + " chaos rules in force (below)",
                options.rewrittenProducerIds() ? "; producer ids rewritten in every idempotent batch, as after a switch" : "",
                loadBefore, loadAfter);
        if (!options.chaosRules().isEmpty()) {
            out.println(chaosTable(chaosAtEnd));
        }

        List<String> throughputHeader = new ArrayList<>(List.of("figure"));
        vias.forEach(via -> throughputHeader.add(via.label));
        MarkdownTable throughput = new MarkdownTable(throughputHeader);
        throughput.row(medians("producer records/s", runs, vias, run -> run.produced().recordsPerSec(), "%,.0f"));
        throughput.row(medians("producer MB/s", runs, vias, run -> run.produced().mbPerSec(), "%.1f"));
        throughput.row(medians("consumer records/s (fetch)", runs, vias, run -> run.consumed().fetchRecordsPerSec(), "%,.0f"));
        throughput.row(medians("consumer MB/s (fetch)", runs, vias, run -> run.consumed().fetchMbPerSec(), "%.1f"));
        throughput.row(medians("machine CPU busy during producer runs, cores of " + Runtime.getRuntime().availableProcessors(),
                runs, vias, Run::busyCores, "%.2f"));
        out.println(throughput.render());

        List<String> cpuHeader = new ArrayList<>(List.of("figure"));
        relays.forEach(via -> cpuHeader.add(via.label));
        if (withHaproxy) {
            cpuHeader.add("gateway/HAProxy");
        }
        MarkdownTable cpu = new MarkdownTable(cpuHeader);
        double producingRatio = cpuRow(cpu, "producing: CPU s per GB", runs, relays, run -> run.producing().secondsPerGb());
        double consumingRatio = cpuRow(cpu, "consuming: CPU s per GB", runs, relays, run -> run.consuming().secondsPerGb());
        cpuRow(cpu, "producing: CPU s per producer run", runs, relays, run -> run.producing().cpuSeconds());
        cpuRow(cpu, "consuming: CPU s per consumer run", runs, relays, run -> run.consuming().cpuSeconds());
        List<String> idleRow = new ArrayList<>(List.of("idle: CPU, % of a core, over " + IDLE_SECONDS + " s after the warm-up"));
        relays.forEach(via -> idleRow.add(String.format("%.2f", idle.get(via))));
        if (withHaproxy) {
            idleRow.add("");
        }
        cpu.row(idleRow);
        out.println(cpu.render());

        Goals goals = new Goals();
        String goal = "gateway CPU per GB <= " + GOAL_RATIO + " × HAProxy's, ";
        if (withHaproxy) {
            goals.check(goal + "producing", producingRatio <= GOAL_RATIO, String.format("%.3f", producingRatio));
            goals.check(goal + "consuming", consumingRatio <= GOAL_RATIO, String.format("%.3f", consumingRatio));
            out.println(goals.render());
        } else {
            out.println("- NOT CHECKED " + goal + "producing and consuming: " + HaproxyProcess.NOT_FOUND + "\n");
        }

        out.println("<details><summary>Runs</summary>\n");
        MarkdownTable perRun = new MarkdownTable(List.of("round", "via", "producer records/s", "producer MB/s",
                "consumer records/s (fetch)", "consumer MB/s (fetch)", "machine busy cores, producer run",
                "relay CPU s, producing", "CPU s per GB, producing", "relay CPU s, consuming", "CPU s per GB, consuming"));
        for (Run run : runs) {
            boolean relayed = run.via() != Via.DIRECT;
            perRun.row(List.of(String.valueOf(run.round()), run.via().label,
                    String.format("%,.0f", run.produced().recordsPerSec()), String.format("%.1f", run.produced().mbPerSec()),
                    String.format("%,.0f", run.consumed().fetchRecordsPerSec()), String.format("%.1f", run.consumed().fetchMbPerSec()),
                    String.format("%.2f", run.busyCores()),
                    relayed ? String.format("%.2f", run.producing().cpuSeconds()) : "",
                    relayed ? String.format("%.3f", run.producing().secondsPerGb()) : "",
                    relayed ? String.format("%.2f", run.consuming().cpuSeconds()) : "",
                    relayed ? String.format("%.3f", run.consuming().secondsPerGb()) : ""));
        }
        out.println(perRun.render());
        out.println("</details>\n");
        out.flush();
        return goals.allMet();
    }

    /**
     * The rules given, as the gateway showed them after the last round: what they matched and affected over the whole
     * run, the warm-up included. A rule that stopped itself (its maxHits, its duration) is no longer listed.
     */
    private String chaosTable(List<JsonNode> atEnd) {
        MarkdownTable table = new MarkdownTable(List.of("chaos rule", "type", "rate %", "scope", "params", "matched", "affected"));
        for (JsonNode given : options.chaosRules()) {
            String name = given.path("name").asText();
            JsonNode shown = atEnd.stream().filter(rule -> rule.path("name").asText().equals(name)).findFirst().orElse(null);
            if (shown == null) {
                table.row(List.of(name, given.path("type").asText(), "", "", "", "no longer listed", ""));
                continue;
            }
            table.row(List.of(name, shown.path("type").asText(), shown.path("rate").asText(), cell(shown.path("scope")),
                    cell(shown.path("params")), String.valueOf(shown.path("matched").asLong()),
                    String.valueOf(shown.path("affected").asLong())));
        }
        return "Chaos rules at the gateway after the last round (matched and affected count the whole run, warm-up "
                + "included; the benchmark's topics are named relay-gateway-*):\n\n" + table.render();
    }

    /** JSON in a table cell, its pipes (as in a topic pattern {@code a|b}) escaped so they do not end the cell. */
    private static String cell(JsonNode json) {
        return json.toString().replace("|", "\\|");
    }

    private static List<String> medians(String figure, List<Run> runs, List<Via> vias, ToDoubleFunction<Run> value,
                                        String format) {
        List<String> row = new ArrayList<>(List.of(figure));
        vias.forEach(via -> row.add(String.format(format, median(runs, via, value))));
        return row;
    }

    /** Adds a row of medians per relay and, with HAProxy measured, gateway/HAProxy; returns that ratio (or NaN). */
    private static double cpuRow(MarkdownTable table, String figure, List<Run> runs, List<Via> relays, ToDoubleFunction<Run> value) {
        List<String> row = medians(figure, runs, relays, value, "%.3f");
        double ratio = Double.NaN;
        if (relays.contains(Via.HAPROXY)) {
            ratio = median(runs, Via.GATEWAY, value) / median(runs, Via.HAPROXY, value);
            row.add(String.format("%.3f", ratio));
        }
        table.row(row);
        return ratio;
    }

    private static double median(List<Run> runs, Via via, ToDoubleFunction<Run> value) {
        return Stats.median(runs.stream().filter(run -> run.via() == via).map(value::applyAsDouble).toList());
    }

    /** The 1, 5 and 15 minute load averages, to say what else the machine was doing. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/loadavg", e);
        }
    }
}
