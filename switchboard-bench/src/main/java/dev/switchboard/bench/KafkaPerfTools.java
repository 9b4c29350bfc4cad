package dev.switchboard.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Apache Kafka's own ProducerPerformance and ConsumerPerformance (kafka-tools), each run in a fresh JVM. */
final class KafkaPerfTools {

    private static final List<String> TOOL_JVM = List.of("-Xms512m", "-Xmx1g");
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, "
                    + "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");

    /** What ProducerPerformance reports for one run. */
    record ProducerResult(long records, double recordsPerSec, double mbPerSec, double p99AckMillis) {
    }

    /**
     * What ConsumerPerformance reports; the fetch rates exclude the group join, which is not data throughput.
     * {@code megabytes} is its count of key and value bytes consumed, in MiB (2^20 bytes), as it reports MB.
     */
    record ConsumerResult(long records, double megabytes, double mbPerSec, double fetchMbPerSec, double fetchRecordsPerSec) {

        /** Key and value bytes consumed, as the tool counted them (to its 4 decimals of a MiB). */
        long bytes() {
            return Math.round(megabytes * 1024 * 1024);
        }
    }

    private KafkaPerfTools() {
    }

    static ProducerResult produce(String bootstrap, String topic, long records, int recordSize) {
        String output = run("producer-perf", "org.apache.kafka.tools.ProducerPerformance", List.of(
                "--topic", topic, "--num-records", String.valueOf(records), "--record-size", String.valueOf(recordSize),
                "--throughput", "-1", "--bootstrap-server", bootstrap));
        Matcher summary = PRODUCER_SUMMARY.matcher(output);
        String last = null;
        while (summary.find()) {
            last = summary.group();
        }
        if (last == null) {
            throw new IllegalStateException("no summary in ProducerPerformance output:\n" + output);
        }
        Matcher m = PRODUCER_SUMMARY.matcher(last);
        m.matches();
        return new ProducerResult(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(8)));
    }

    static ConsumerResult consume(String bootstrap, String topic, long records, String group) {
        String output = run("consumer-perf", "org.apache.kafka.tools.ConsumerPerformance", List.of(
                "--bootstrap-server", bootstrap, "--topic", topic, "--num-records", String.valueOf(records),
                "--group", group, "--timeout", "60000"));
        List<String> lines = output.lines().filter(l -> l.contains(",")).toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("start.time")) {
                header = i;
            }
        }
        if (header < 0 || header + 1 >= lines.size()) {
            throw new IllegalStateException("no results in ConsumerPerformance output:\n" + output);
        }
        List<String> names = Arrays.stream(lines.get(header).split(",")).map(String::trim).toList();
        List<String> values = Arrays.stream(lines.get(header + 1).split(",")).map(String::trim).toList();
        Map<String, String> row = names.stream().collect(Collectors.toMap(n -> n, n -> values.get(names.indexOf(n))));
        return new ConsumerResult(Long.parseLong(row.get("data.consumed.in.nMsg")), Double.parseDouble(row.get("data.consumed.in.MB")),
                Double.parseDouble(row.get("MB.sec")), Double.parseDouble(row.get("fetch.MB.sec")),
                Double.parseDouble(row.get("fetch.nMsg.sec")));
    }

    private static String run(String name, String mainClass, List<String> args) {
        try (ChildProcess tool = ChildProcess.startJvm(name, TOOL_JVM, mainClass, args)) {
            return tool.awaitOutput(TOOL_TIMEOUT);
        }
    }
}
