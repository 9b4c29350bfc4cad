package dev.switchboard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.switchboard.testkit.EmbeddedKafkaCluster;
import org.apache.kafka.clients.admin.Admin;

/**
 * The gateway against direct Kafka, side by side in one run: producer and consumer throughput with Kafka's own
 * perf tools, end-to-end latency at half the direct producer maximum, and the gateway's CPU and heap, for a
 * 1-broker cluster and a 3-broker cluster with replication factor 3; then the gateway's footprint with many
 * idle connections. Progress goes to {@code progress}, the result tables to {@code out}, as Markdown.
 */
public final class GatewayBenchmark {

    enum Side { DIRECT, GATEWAY }

    private static final double MIB = 1024 * 1024;
    private static final int PARTITIONS = 6;

    private final BenchOptions options;
    private final PrintWriter out;
    private final PrintStream progress;

    /** @param profileDirectory where each gateway process writes a JFR recording, or null for none */
    public GatewayBenchmark(BenchOptions options, PrintWriter out, PrintStream progress, Path profileDirectory) {
        GatewayProcess.profileDirectory = profileDirectory;
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    /** Runs everything and returns whether every goal held; the caller says so. */
    public boolean run() {
        boolean allGoalsMet = true;
        out.printf("Switchboard benchmark: %d rounds, %,d records of %d bytes per run, latency runs of %d s.%n%n",
                options.rounds(), options.records(), options.recordSize(), options.latencySeconds());
        for (int brokers : options.brokerCounts()) {
            allGoalsMet &= throughputAndLatency(brokers);
        }
        allGoalsMet &= idleConnections();
        return allGoalsMet;
    }

    private boolean throughputAndLatency(int brokers) {
        int replication = Math.min(brokers, 3);
        String shape = brokers + " broker" + (brokers == 1 ? "" : "s") + ", replication factor " + replication;
        progress.println("== " + shape);
        Map<Side, List<Double>> producerRecords = perSide();
        Map<Side, List<Double>> producerMb = perSide();
        Map<Side, List<Double>> consumerMb = perSide();
        Map<Side, List<Double>> busyCores = perSide();
        Map<Side, List<Double>> p50 = perSide();
        Map<Side, List<Double>> p99 = perSide();
        Map<Side, List<Double>> p999 = perSide();
        Map<Side, List<Double>> lowP50 = perSide();
        Map<Side, List<Double>> lowP99 = perSide();
        Map<Side, List<Double>> lowP999 = perSide();
        List<Double> gatewayCpuProduce = new ArrayList<>();
        List<Double> gatewayCpuConsume = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        double rate;
        double lowRate;
        long liveHeap;
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("bench-" + brokers).brokers(brokers)
                .brokerProperty("log.flush.interval.messages", Long.MAX_VALUE).start();
             GatewayProcess gateway = GatewayProcess.start(cluster)) {
            Function<Side, String> bootstrapOf =
                    side -> side == Side.DIRECT ? cluster.bootstrapServers() : gateway.bootstrap();
            int topicNumber = 0;
            // Round 0 warms up the JIT of brokers and gateway alike, with every kind of run measured after it; it is
            // not counted. A profile (perf, cpu-clock) of a gateway warmed with half a producer and consumer run only
            // showed its C2 compiler thread taking about half of the gateway's CPU during the first measured runs,
            // and again during the first fixed-rate latency run; the tools are fresh JVMs on both sides every run.
            double warmUpRate = 0;
            for (Side side : order(1)) {
                String topic = "warmup-" + (++topicNumber);
                cluster.createTopic(topic, PARTITIONS, replication);
                String bootstrap = bootstrapOf.apply(side);
                KafkaPerfTools.ProducerResult produced = KafkaPerfTools.produce(bootstrap, topic, options.records(), options.recordSize());
                KafkaPerfTools.consume(bootstrap, topic, options.records(), "warmup-" + topic);
                deleteTopic(cluster, topic);
                if (side == Side.DIRECT) {
                    warmUpRate = produced.recordsPerSec() / 2;
                }
                progress.println("warm-up " + side + " done");
            }
            for (Side side : order(1)) {
                String topic = "warmup-latency-" + (++topicNumber);
                cluster.createTopic(topic, PARTITIONS, replication);
                String bootstrap = bootstrapOf.apply(side);
                FixedRateLatency.Result.run(bootstrap, topic, warmUpRate, Math.max(2, options.latencySeconds() / 2), 1, options.recordSize());
                deleteTopic(cluster, topic);
                progress.println("latency warm-up " + side + " done");
            }
            for (int round = 1; round <= options.rounds(); round++) {
                for (Side side : order(round)) {
                    String topic = "bench-" + (++topicNumber);
                    cluster.createTopic(topic, PARTITIONS, replication);
                    String bootstrap = bootstrapOf.apply(side);
                    long cpuBefore = gateway.cpuNanos();
                    MachineCpu machineBefore = MachineCpu.now();
                    KafkaPerfTools.ProducerResult produced = KafkaPerfTools.produce(bootstrap, topic, options.records(), options.recordSize());
                    long cpuAfterProduce = gateway.cpuNanos();
                    busyCores.get(side).add(MachineCpu.now().busyCoresSince(machineBefore));
                    KafkaPerfTools.ConsumerResult consumed = KafkaPerfTools.consume(bootstrap, topic, options.records(), "bench-" + topic);
                    long cpuAfterConsume = gateway.cpuNanos();
                    deleteTopic(cluster, topic);
                    if (consumed.records() < options.records()) {
                        throw new IllegalStateException("consumer read " + consumed.records() + " of " + options.records());
                    }
                    producerRecords.get(side).add(produced.recordsPerSec());
                    producerMb.get(side).add(produced.mbPerSec());
                    consumerMb.get(side).add(consumed.fetchMbPerSec());
                    if (side == Side.GATEWAY) {
                        gatewayCpuProduce.add((cpuAfterProduce - cpuBefore) / 1e9);
                        gatewayCpuConsume.add((cpuAfterConsume - cpuAfterProduce) / 1e9);
                    }
                    String line = String.format("round %d %-7s producer %,.0f rec/s %.1f MB/s, consumer %.1f MB/s (fetch)",
                            round, side, produced.recordsPerSec(), produced.mbPerSec(), consumed.fetchMbPerSec());
                    raw.add(line);
                    progress.println(line);
                }
            }
            rate = Stats.median(producerRecords.get(Side.DIRECT)) / 2;
            lowRate = Stats.median(producerRecords.get(Side.DIRECT)) / 10;
            for (int round = 1; round <= options.rounds(); round++) {
                for (Side side : order(round)) {
                    for (boolean half : List.of(true, false)) {
                        double at = half ? rate : lowRate;
                        String topic = "latency-" + (++topicNumber);
                        cluster.createTopic(topic, PARTITIONS, replication);
                        String bootstrap = bootstrapOf.apply(side);
                        FixedRateLatency.Result latency = FixedRateLatency.Result.run(bootstrap, topic, at,
                                options.latencySeconds(), 2, options.recordSize());
                        deleteTopic(cluster, topic);
                        (half ? p50 : lowP50).get(side).add(latency.p50() / 1000.0);
                        (half ? p99 : lowP99).get(side).add(latency.p99() / 1000.0);
                        (half ? p999 : lowP999).get(side).add(latency.p999() / 1000.0);
                        String line = String.format("round %d %-7s latency at %,.0f rec/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%,d records)",
                                round, side, at, latency.p50() / 1000.0, latency.p99() / 1000.0, latency.p999() / 1000.0,
                                latency.max() / 1000.0, latency.count());
                        raw.add(line);
                        progress.println(line);
                    }
                }
            }
            liveHeap = gateway.liveHeapBytes();
        }

        ResultTable table = new ResultTable();
        double producerRatio = table.compare("producer records/s (1 KiB)", producerRecords, "%,.0f");
        table.compare("producer MB/s", producerMb, "%.1f");
        double consumerRatio = table.compare("consumer MB/s (fetch)", consumerMb, "%.1f");
        table.compare("end-to-end p50 ms, half load", p50, "%.2f");
        double p99Added = Stats.median(p99.get(Side.GATEWAY)) - Stats.median(p99.get(Side.DIRECT));
        table.compare("end-to-end p99 ms, half load", p99, "%.2f");
        table.compare("end-to-end p99.9 ms, half load", p999, "%.2f");
        table.compare("end-to-end p50 ms, tenth load", lowP50, "%.2f");
        double lowP99Added = Stats.median(lowP99.get(Side.GATEWAY)) - Stats.median(lowP99.get(Side.DIRECT));
        table.compare("end-to-end p99 ms, tenth load", lowP99, "%.2f");
        table.compare("end-to-end p99.9 ms, tenth load", lowP999, "%.2f");
        table.compare("machine CPU busy during producer runs, cores of " + Runtime.getRuntime().availableProcessors(),
                busyCores, "%.2f");
        table.gatewayOnly("gateway CPU s per producer run", Stats.median(gatewayCpuProduce), "%.2f");
        table.gatewayOnly("gateway CPU s per consumer run", Stats.median(gatewayCpuConsume), "%.2f");
        table.gatewayOnly("gateway live heap after the runs, MiB", liveHeap / MIB, "%.1f");

        out.printf("### %s%n%nLatency measured at %,.0f records/s (half the direct producer maximum) and %,.0f records/s "
                + "(a tenth).%n%n", shape, rate, lowRate);
        out.println(table.render());
        Goals goals = new Goals();
        goals.check("producer throughput >= 0.97 of direct", producerRatio >= 0.97, String.format("%.3f", producerRatio));
        goals.check("consumer throughput >= 0.95 of direct", consumerRatio >= 0.95, String.format("%.3f", consumerRatio));
        goals.check("end-to-end p99 added <= 1 ms at half load", p99Added <= 1.0, String.format("%+.2f ms", p99Added));
        out.printf("(At a tenth of the load the gateway adds %+.2f ms at p99.)%n", lowP99Added);
        out.println(goals.render());
        out.println("<details><summary>Raw runs</summary>\n\n```");
        raw.forEach(out::println);
        out.println("```\n</details>\n");
        out.flush();
        return goals.allMet();
    }

    private boolean idleConnections() {
        progress.println("== idle connections");
        out.println("### Idle connections\n");
        ResultTable table = new ResultTable();
        Goals goals = new Goals();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("bench-idle").start()) {
            for (boolean handshake : List.of(false, true)) {
                int count = handshake ? options.handshakeConnections() : options.idleConnections();
                if (count == 0) {
                    continue;
                }
                try (GatewayProcess gateway = GatewayProcess.start(cluster)) {
                    long baseline = gateway.liveHeapBytes();
                    String host = gateway.bootstrap().substring(0, gateway.bootstrap().indexOf(':'));
                    int port = Integer.parseInt(gateway.bootstrap().substring(gateway.bootstrap().indexOf(':') + 1));
                    try (ChildProcess clients = ChildProcess.startJvm("idle-clients", List.of("-Xmx512m"), IdleClients.class.getName(),
                            List.of(host, String.valueOf(port), String.valueOf(count), String.valueOf(handshake)))) {
                        awaitReady(clients, count);
                        awaitOpenConnections(gateway, count);
                        long withConnections = gateway.liveHeapBytes();
                        long cpuBefore = gateway.cpuNanos();
                        sleepSeconds(10);
                        double cpuPercent = (gateway.cpuNanos() - cpuBefore) / 1e9 / 10 * 100;
                        double perConnection = (withConnections - baseline) / (double) count;
                        String label = handshake ? count + " connections after ApiVersions (client + upstream socket each)"
                                : count + " silent connections";
                        table.gatewayOnly(label + ": heap per connection, KiB", perConnection / 1024, "%.1f");
                        table.gatewayOnly(label + ": gateway live heap, MiB", withConnections / MIB, "%.1f");
                        table.gatewayOnly(label + ": gateway CPU while idle, % of a core", cpuPercent, "%.2f");
                        goals.check("heap per idle connection <= 16 KiB (" + label + ")", perConnection <= 16 * 1024,
                                String.format("%.1f KiB", perConnection / 1024));
                        progress.printf("%s: %.1f KiB per connection, %.2f%% CPU%n", label, perConnection / 1024, cpuPercent);
                        clients.process().getOutputStream().close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        out.println(table.render());
        out.println(goals.render());
        out.flush();
        return goals.allMet();
    }

    private static void awaitReady(ChildProcess clients, int count) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!clients.stdout().contains("READY " + count)) {
            if (!clients.process().isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("idle clients did not connect: " + clients.stderrTail());
            }
            sleepMillis(200);
        }
    }

    private static void awaitOpenConnections(GatewayProcess gateway, int count) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (gateway.metric("switchboard_connections_open") < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the gateway reports " + gateway.metric("switchboard_connections_open")
                        + " open connections, expected " + count);
            }
            sleepMillis(200);
        }
    }

    private static List<Side> order(int round) {
        return round % 2 == 1 ? List.of(Side.DIRECT, Side.GATEWAY) : List.of(Side.GATEWAY, Side.DIRECT);
    }

    private static Map<Side, List<Double>> perSide() {
        Map<Side, List<Double>> values = new LinkedHashMap<>();
        values.put(Side.DIRECT, new ArrayList<>());
        values.put(Side.GATEWAY, new ArrayList<>());
        return values;
    }

    static void deleteTopic(EmbeddedKafkaCluster cluster, String topic) {
        try (Admin admin = cluster.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot delete " + topic, e);
        }
    }

    static void sleepSeconds(int seconds) {
        sleepMillis(seconds * 1000L);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Markdown result table: medians per side and their ratio. */
    static final class ResultTable {
        private final StringBuilder rows = new StringBuilder("| figure | direct | gateway | gateway/direct |\n| --- | ---: | ---: | ---: |\n");

        double compare(String figure, Map<Side, List<Double>> values, String format) {
            double direct = Stats.median(values.get(Side.DIRECT));
            double gateway = Stats.median(values.get(Side.GATEWAY));
            double ratio = gateway / direct;
            rows.append(String.format("| %s | " + format + " | " + format + " | %.3f |%n", figure, direct, gateway, ratio));
            return ratio;
        }

        void gatewayOnly(String figure, double value, String format) {
            rows.append(String.format("| %s | | " + format + " | |%n", figure, value));
        }

        String render() {
            return rows.toString();
        }
    }
}
