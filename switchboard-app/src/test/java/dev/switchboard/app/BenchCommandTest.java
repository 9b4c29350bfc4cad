package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code switchboard bench} working: a tiny run through every phase. It checks that each table is
 * produced from real measurements, never the speed; speed goals live in the benchmark itself. Nearly three minutes
 * on a 2-core machine, so it runs with {@code -Pall-tests}, not in the default suite.
 */
@Tag("slow")
class BenchCommandTest {

    @Test
    void tinyBenchmarkRunsEveryPhaseAndReportsEveryFigure() {
        StringWriter out = new StringWriter();
        int exit = SwitchboardCommand.commandLine().setOut(new PrintWriter(out, true)).execute("bench", "--rounds", "1",
                "--records", "3000", "--latency-seconds", "3", "--idle-connections", "200", "--handshake-connections", "100",
                "--brokers", "1", "--relay-rounds", "1");
        String report = out.toString();
        assertThat(exit).as(report).isIn(0, BenchCommand.GOALS_MISSED);
        assertThat(report).contains("### 1 broker, replication factor 1", "producer records/s (1 KiB)", "consumer MB/s (fetch)",
                "end-to-end p99 ms, half load", "end-to-end p99 ms, tenth load", "machine CPU busy during producer runs", "gateway CPU s per producer run",
                "### Idle connections", "200 silent connections: heap per connection, KiB",
                "100 connections after ApiVersions (client + upstream socket each): heap per connection, KiB");
        assertThat(report).containsPattern("\\| producer records/s \\(1 KiB\\) \\| [\\d,]+ \\| [\\d,]+ \\| \\d+\\.\\d{3} \\|");
        assertThat(report).contains("### Relay cost", "producing: CPU s per GB", "consuming: CPU s per GB",
                "idle: CPU, % of a core");
        // With haproxy installed the floor is measured beside the gateway; without it, the bench says how to get it.
        assertThat(report).containsAnyOf("| figure | gateway | HAProxy | gateway/HAProxy |",
                "haproxy not found: apt-get install -y haproxy");
        assertThat(report).containsPattern("\\| producing: CPU s per GB \\| \\d+\\.\\d{3} \\|");
        assertThat(report).endsWith(exit == 0 ? "All goals met.\n" : "Some goals were missed; see the tables above.\n");
    }
}
