package dev.switchboard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void appendsOneJsonLinePerEventAcrossLogsOnTheSameFile() throws IOException {
        Path file = dir.resolve("audit/admin.jsonl");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("to", "secondary");
        request.put("planned", true);
        new AuditLog(file, registry, clock).record("alice", "switch", request, AuditEvent.ACCEPTED, null);
        // A restart: a second log on the same file must add to it, never start it again.
        new AuditLog(file, registry, clock).record("bob", "switch", Map.of(), AuditEvent.REJECTED, "a switch is running");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("at").asText()).isEqualTo("2025-03-01T12:00:00Z");
        assertThat(first.get("actor").asText()).isEqualTo("alice");
        assertThat(first.get("action").asText()).isEqualTo("switch");
        assertThat(first.get("request").toString()).isEqualTo("{\"to\":\"secondary\",\"planned\":true}");
        assertThat(first.get("result").asText()).isEqualTo("accepted");
        assertThat(first.get("message").isNull()).isTrue();
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.get("actor").asText()).isEqualTo("bob");
        assertThat(second.get("message").asText()).isEqualTo("a switch is running");
    }

    @Test
    void countsActionsByActionAndResult() {
        AuditLog log = new AuditLog(null, registry, clock);
        log.record("alice", "switch", Map.of(), AuditEvent.ACCEPTED, null);
        log.record("alice", "switch", Map.of(), AuditEvent.ACCEPTED, null);
        log.record("alice", "switch", Map.of(), AuditEvent.FAILED, "no cluster took the switch state");

        assertThat(actions("switch", "accepted")).isEqualTo(2.0);
        assertThat(actions("switch", "failed")).isEqualTo(1.0);
        assertThat(registry.scrape())
                .contains("switchboard_admin_actions_total{action=\"switch\",result=\"accepted\"} 2.0")
                .contains("switchboard_audit_write_failures_total 0.0");
    }

    @Test
    void aPathThatCannotBeWrittenAtStartUpIsAnErrorNamingIt() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("admin.jsonl");

        assertThatThrownBy(() -> new AuditLog(file, registry, clock))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("audit log " + file + " cannot be written");
    }

    @Test
    void aFailedWriteIsCountedAndDoesNotFailTheAction() throws IOException {
        Path file = dir.resolve("admin.jsonl");
        AuditLog log = new AuditLog(file, registry, clock);
        Files.delete(file);
        Files.createDirectory(file); // the file's place is taken: every write fails from now on

        log.record("alice", "switch", Map.of(), AuditEvent.SUCCEEDED, null);

        assertThat(actions("switch", "succeeded")).isEqualTo(1.0);
        assertThat(registry.get("switchboard.audit.write.failures").counter().count()).isEqualTo(1.0);
    }

    @Test
    void refusesAnEventWithoutActorActionOrResult() {
        AuditLog log = new AuditLog(null, registry, clock);
        assertThatThrownBy(() -> log.record(" ", "switch", Map.of(), AuditEvent.ACCEPTED, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("actor is required");
        assertThatThrownBy(() -> log.record("alice", "switch", Map.of(), null, null)).hasMessage("result is required");
    }

    private double actions(String action, String result) {
        return registry.get("switchboard.admin.actions").tag("action", action).tag("result", result).counter().count();
    }
}
