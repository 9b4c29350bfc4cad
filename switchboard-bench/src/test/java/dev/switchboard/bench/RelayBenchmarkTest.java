package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.bench.RelayBenchmark.Run;
import dev.switchboard.bench.RelayBenchmark.Via;
import org.junit.jupiter.api.Test;

class RelayBenchmarkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachRoundStartsOnePlaceFurtherSoEveryRouteTakesEveryPosition() {
        List<String> routes = List.of("direct", "gateway", "HAProxy");

        assertThat(RelayBenchmark.rotation(routes, 1)).containsExactly("direct", "gateway", "HAProxy");
        assertThat(RelayBenchmark.rotation(routes, 2)).containsExactly("gateway", "HAProxy", "direct");
        assertThat(RelayBenchmark.rotation(routes, 3)).containsExactly("HAProxy", "direct", "gateway");
        assertThat(RelayBenchmark.rotation(routes, 4)).containsExactly("direct", "gateway", "HAProxy");
    }

    @Test
    void withoutHaproxyTheTwoRoutesAlternate() {
        List<String> routes = List.of("direct", "gateway");

        assertThat(RelayBenchmark.rotation(routes, 1)).containsExactly("direct", "gateway");
        assertThat(RelayBenchmark.rotation(routes, 2)).containsExactly("gateway", "direct");
        assertThat(RelayBenchmark.rotation(routes, 3)).containsExactly("direct", "gateway");
    }

    @Test
    void reportsMediansAndTheRatioOfTheGatewaysCpuPerGbToHaproxys() {
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            runs.add(run(round, Via.DIRECT, 0, 0));
            runs.add(run(round, Via.GATEWAY, 0.40 + round / 100.0, 0.20));
            runs.add(run(round, Via.HAPROXY, 0.30, 0.20));
        }

        String report = report(runs, List.of(Via.DIRECT, Via.GATEWAY, Via.HAPROXY), Map.of(Via.GATEWAY, 1.1, Via.HAPROXY, 0.0));

        // 0.42 s and 0.30 s over 300,000 records of 1,024 bytes: 1.367 and 0.977 s per GB.
        assertThat(report).contains("| figure | direct | gateway | HAProxy |",
                "| figure | gateway | HAProxy | gateway/HAProxy |",
                "| producing: CPU s per GB | 1.367 | 0.977 | 1.400 |",
                "| consuming: CPU s per GB | 0.651 | 0.651 | 1.000 |",
                "- MISSED gateway CPU per GB <= 1.2 × HAProxy's, producing: 1.400",
                "- MET  gateway CPU per GB <= 1.2 × HAProxy's, consuming: 1.000");
    }

    @Test
    void withoutHaproxyTheColumnIsLeftOutAndTheGoalIsNotChecked() {
        List<Run> runs = List.of(run(1, Via.DIRECT, 0, 0), run(1, Via.GATEWAY, 0.42, 0.2));

        String report = report(runs, List.of(Via.DIRECT, Via.GATEWAY), Map.of(Via.GATEWAY, 1.1));

        assertThat(report).contains("| figure | direct | gateway |\n", "| figure | gateway |\n",
                "| producing: CPU s per GB | 1.367 |\n",
                "- NOT CHECKED gateway CPU per GB <= 1.2 × HAProxy's, producing and consuming: "
                        + "haproxy not found: apt-get install -y haproxy");
        assertThat(report).doesNotContain("| HAProxy", "MISSED");
    }

    @Test
    void withChaosRulesTheReportShowsWhatEachMatchedAndAffectedAndOneThatStoppedItself() throws Exception {
        List<JsonNode> given = ChaosRuleArguments.parse(List.of(
                "{\"name\":\"never-hits\",\"type\":\"broken-broker\",\"rate\":0,\"scope\":{\"topic\":\"relay-.*|other\"}}",
                "{\"name\":\"limited\",\"type\":\"latency\",\"maxHits\":5}"));
        JsonNode listed = JSON.readTree("{\"name\":\"never-hits\",\"type\":\"broken-broker\",\"rate\":0.0,"
                + "\"scope\":{\"topic\":\"relay-.*|other\"},\"params\":{},\"matched\":1234,\"affected\":0}");
        List<Run> runs = List.of(run(1, Via.DIRECT, 0, 0), run(1, Via.GATEWAY, 0.42, 0.2));

        String report = report(new RelayOptions(1, 300_000, 1024, false, given, false), runs, List.of(Via.DIRECT, Via.GATEWAY),
                Map.of(Via.GATEWAY, 1.1), List.of(listed));

        assertThat(report).contains("Gateway: listener.strictRequests off; 2 chaos rules in force (below).",
                "| chaos rule | type | rate % | scope | params | matched | affected |",
                "| never-hits | broken-broker | 0.0 | {\"topic\":\"relay-.*\\|other\"} | {} | 1234 | 0 |",
                "| limited | latency |  |  |  | no longer listed |  |");
    }

    @Test
    void withRewrittenProducerIdsTheReportSaysSo() {
        List<Run> runs = List.of(run(1, Via.DIRECT, 0, 0), run(1, Via.GATEWAY, 0.42, 0.2));
        String report = report(new RelayOptions(1, 300_000, 1024, false, List.of(), true), runs, List.of(Via.DIRECT, Via.GATEWAY),
                Map.of(Via.GATEWAY, 1.1), List.of());
        assertThat(report).contains("Gateway: listener.strictRequests off; no chaos rules; producer ids rewritten in every"
                + " idempotent batch, as after a switch.");
    }

    private static String report(List<Run> runs, List<Via> vias, Map<Via, Double> idle) {
        String report = report(new RelayOptions(3, 300_000, 1024), runs, vias, idle, List.of());
        assertThat(report).contains("Gateway: listener.strictRequests off; no chaos rules.").doesNotContain("| chaos rule |");
        return report;
    }

    private static String report(RelayOptions options, List<Run> runs, List<Via> vias, Map<Via, Double> idle,
                                 List<JsonNode> chaosAtEnd) {
        StringWriter out = new StringWriter();
        new RelayBenchmark(options, new PrintWriter(out), System.err)
                .report(runs, vias, idle, "HAProxy version 2.6.12", "0.50 0.40 0.30", "1.50 1.00 0.60", chaosAtEnd);
        return out.toString();
    }

    private static Run run(int round, Via via, double producingSeconds, double consumingSeconds) {
        long bytes = 300_000L * 1024;
        return new Run(round, via, new KafkaPerfTools.ProducerResult(300_000, 70_000, 68.4, 12),
                new KafkaPerfTools.ConsumerResult(300_000, 292.9688, 150, 200, 204_800), 1.9,
                new RelayCpu((long) (producingSeconds * 1e9), bytes), new RelayCpu((long) (consumingSeconds * 1e9), bytes));
    }
}
