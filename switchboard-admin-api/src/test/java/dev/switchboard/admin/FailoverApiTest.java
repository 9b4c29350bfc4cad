package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.FailoverConfig;
import dev.switchboard.failover.SwitchPhase;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/failover} refuses bad requests with a clear error and changes nothing, and a planned
 * switchover whose replication never catches up gives up, stays on the primary and lets held producers go on.
 * No MirrorMaker 2 runs, so a topic with records on the primary only never catches up.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverApiTest {

    private static final String TOPIC = "api-behind";
    private static final String ACTOR = "api-test@ci";

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private Path auditLog;
    private GatewayFixture fixture;
    private AdminServer admin;
    private String bearer;

    @BeforeAll
    void start(@KafkaCluster(name = "api-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "api-secondary", nodeIds = {3}) EmbeddedKafkaCluster secondary) throws Exception {
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, 1, 1);
        secondary.createTopic(TOPIC, 1, 1);
        // Stands for a MirrorMaker 2 flow into the secondary, one that never catches up by itself: a planned switch
        // refuses to start without one.
        secondary.createTopic(primary.name() + ".checkpoints.internal", 1, 1);
        try (KafkaProducer<String, String> direct = producer(primary.clientProperties())) {
            direct.send(new ProducerRecord<>(TOPIC, "only-on-primary")).get(30, TimeUnit.SECONDS);
        }
        auditLog = dir.resolve("audit.jsonl");
        fixture = new GatewayFixture(new FailoverConfig(3, null, auditLog.toString(), null, null), primary, secondary);
        admin = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0));
        bearer = "Bearer " + AdminTokensForTests.of(fixture.gateway(), AdminRole.OPERATOR);
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        Gateway gateway = fixture.gateway();
        String active = gateway.status().activeCluster();
        Long epoch = gateway.status().switchEpoch();
        long auditLines = auditLines().size();

        assertRefused(post("{\"to\": \"nowhere\"}"), 400, "unknown cluster 'nowhere'");
        assertRefused(post("{\"to\": \"" + primary.name() + "\"}"), 409, "already active");
        assertRefused(post("{\"to\": "), 400, "not JSON");
        assertRefused(post("{}"), 400, "'to' is required");
        assertRefused(post("{\"planned\": true}"), 400, "'to' is required");
        assertRefused(post("{\"to\": \"" + secondary.name() + "\", \"force\": true}"), 400, "unknown field 'force'");
        assertRefused(post("{\"to\": \"" + secondary.name() + "\", \"planned\": \"yes\"}"), 400, "'planned' must be true or false");
        assertRefused(post("[]"), 400, "JSON object");

        assertThat(gateway.status().activeCluster()).isEqualTo(active);
        assertThat(gateway.status().switchEpoch()).isEqualTo(epoch);
        assertThat(gateway.switchPhase()).isInstanceOf(SwitchPhase.Idle.class);

        // Requests that reach the gateway are audited: the two refused by the switch itself (unknown and active cluster).
        List<JsonNode> lines = auditLines();
        List<JsonNode> added = lines.subList((int) auditLines, lines.size());
        assertThat(added).extracting(l -> l.get("result").asText())
                .containsExactly("accepted", "rejected", "accepted", "rejected");
        for (JsonNode line : added) {
            assertThat(line.get("actor").asText()).startsWith("operator-for-tests (operator token ").contains(" as " + ACTOR + " from ");
            assertThat(line.get("action").asText()).isEqualTo("failover");
        }
        assertThat(added.get(1).get("message").asText()).contains("unknown cluster 'nowhere'");

        String metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("switchboard_admin_actions_total{action=\"failover\",result=\"rejected\"}");
    }

    @Test
    void plannedSwitchoverThatCannotCatchUpIsAbortedAndReleasesHeldProducers() throws Exception {
        Gateway gateway = fixture.gateway();
        long auditBefore = auditLines().size();
        try (KafkaProducer<String, String> producer = producer(fixture.clientProperties("api-held-producer"))) {
            producer.send(new ProducerRecord<>(TOPIC, "before")).get(30, TimeUnit.SECONDS);
            long primaryBefore = endOffset(primary);

            CompletableFuture<HttpResponse<String>> planned = http.sendAsync(request("{\"to\": \"" + secondary.name()
                    + "\", \"planned\": true}"), HttpResponse.BodyHandlers.ofString());
            Await.until(() -> gateway.switchPhase() instanceof SwitchPhase.CatchingUp, Duration.ofSeconds(30),
                    "the planned switchover to wait for replication");
            Long holdEpoch = gateway.status().switchEpoch();
            Future<RecordMetadata> held = producer.send(new ProducerRecord<>(TOPIC, "held"));

            // A second switch while the first runs: refused, nothing changes.
            assertRefused(post("{\"to\": \"" + secondary.name() + "\"}"), 409, "already running");
            assertThat(gateway.status().activeCluster()).isEqualTo(primary.name());
            assertThat(gateway.status().switchEpoch()).isEqualTo(holdEpoch);

            HttpResponse<String> response = planned.get(60, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
            JsonNode outcome = Json.MAPPER.readTree(response.body());
            assertThat(outcome.get("result").asText()).isEqualTo("aborted");
            assertThat(outcome.get("message").asText()).contains("waiting for replication to catch up")
                    .contains("1 partitions behind by").contains("cluster " + primary.name() + " stays active");
            assertThat(gateway.status().activeCluster()).isEqualTo(primary.name());
            assertThat(gateway.switchPhase()).isInstanceOf(SwitchPhase.Idle.class);

            RecordMetadata landed = held.get(60, TimeUnit.SECONDS);
            assertThat(landed.offset()).as("the held record went on to the primary").isEqualTo(primaryBefore);
            assertThat(endOffset(primary)).isEqualTo(primaryBefore + 1);
            assertThat(endOffset(secondary)).isZero();
        }
        List<JsonNode> lines = auditLines();
        List<JsonNode> added = lines.subList((int) auditBefore, lines.size());
        assertThat(added).extracting(l -> l.get("result").asText())
                .containsExactlyInAnyOrder("accepted", "accepted", "rejected", "failed");
        String metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("switchboard_admin_actions_total{action=\"failover\",result=\"failed\"}");
    }

    @Test
    void theVerdictShowsInStatusAndReadinessAndAVetoWithNothingArmedIsRefused() throws Exception {
        Await.until(() -> fixture.gateway().health().checkedAt() != null, Duration.ofSeconds(30), "the first health check");
        JsonNode status = Json.MAPPER.readTree(get("/api/v1/status").body());
        assertThat(status.path("health").path("cluster").asText()).isEqualTo(primary.name());
        assertThat(status.path("health").path("health").asText()).isEqualTo("HEALTHY");
        assertThat(status.path("health").path("findings").isArray()).isTrue();
        assertThat(status.path("autoFailover").path("enabled").asBoolean()).isFalse();
        assertThat(status.path("autoFailover").path("state").asText()).isEqualTo("Off");
        JsonNode ready = Json.MAPPER.readTree(get("/health/ready").body());
        assertThat(ready.path("health").asText()).isEqualTo("healthy");
        assertThat(ready.path("evidence").isEmpty()).isTrue();

        HttpResponse<String> veto = http.send(HttpRequest.newBuilder(uri("/api/v1/failover/veto")).header("X-Switchboard-Actor", ACTOR)
                .header("Authorization", bearer)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertRefused(veto, 409, "automatic failover is off (detection.autoFailover.enabled); nothing to veto");
        assertThat(auditLines()).as("the refused veto in the audit log")
                .anyMatch(line -> line.path("action").asText().equals("failover-veto") && line.path("actor").asText().contains(" as " + ACTOR));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertRefused(HttpResponse<String> response, int status, String message) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(Json.MAPPER.readTree(response.body()).get("error").asText()).contains(message);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(request(body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(uri("/api/v1/failover")).header("X-Switchboard-Actor", ACTOR).header("Authorization", bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(auditLog)) {
            for (String line : Files.readAllLines(auditLog)) {
                lines.add(Json.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    private static long endOffset(EmbeddedKafkaCluster cluster) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(30, TimeUnit.SECONDS).offset();
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> base) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }
}
