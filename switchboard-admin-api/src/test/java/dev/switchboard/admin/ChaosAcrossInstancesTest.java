package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.support.Await;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
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
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two gateway instances sharing one switch-state topic, driven through their REST APIs: a rule added at one is felt
 * by clients of the other and listed there, a removal at either stops it at both, and a rule outlives a restart of
 * an instance with the expiry it had, while one that expired stays gone. The cluster is this class's own, since the
 * rules it holds outlive the class.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosAcrossInstancesTest {

    /** What "within about a second" may take on a busy two-core machine before it counts as never. */
    private static final Duration SHARED_WAIT = Duration.ofSeconds(15);
    private static final String CLUSTER_ID = "chaos-instances-virtual";

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedKafkaCluster cluster;
    private Instance a;
    private Instance b;

    /** One gateway instance and its admin API. */
    private record Instance(GatewayFixture fixture, AdminServer admin, String bearer) implements AutoCloseable {

        static Instance start(EmbeddedKafkaCluster cluster) {
            GatewayFixture fixture = new GatewayFixture(CLUSTER_ID, null, cluster);
            return new Instance(fixture, AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0)),
                    "Bearer " + AdminTokensForTests.of(fixture.gateway(), AdminRole.OPERATOR));
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + admin.port() + path);
        }

        @Override
        public void close() {
            admin.close();
            fixture.close();
        }
    }

    @BeforeAll
    void start(@KafkaCluster(name = "chaos-instances") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        a = Instance.start(cluster);
        b = Instance.start(cluster);
    }

    @AfterAll
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @AfterEach
    void resetRules() throws Exception {
        assertThat(send(a, "POST", "/api/v1/chaos/reset", "{}").statusCode()).isEqualTo(200);
        Await.until(() -> rules(a).isEmpty() && rules(b).isEmpty(), SHARED_WAIT, "both instances to have no rules");
    }

    @Test
    void aRuleAddedAtOneInstanceFailsSendsThroughTheOtherAndARemovalThereStopsItAtTheFirst() throws Exception {
        cluster.createTopic("across-broken", 1, 1);
        cluster.createTopic("across-healthy", 1, 1);
        HttpResponse<String> added = send(a, "POST", "/api/v1/chaos/rules", "{\"name\":\"across-broken\","
                + "\"type\":\"broken-broker\",\"duration\":\"10m\",\"scope\":{\"topic\":\"across-broken\"},"
                + "\"params\":{\"errors\":{\"produce\":\"NOT_ENOUGH_REPLICAS\"}}}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);

        Await.until(() -> rule(b, "across-broken").isPresent(), SHARED_WAIT, "B to list the rule added at A");
        List<String> refused = Records.numbered("across-refused", 10);
        List<String> healthy = Records.numbered("across-healthy", 10);
        try (KafkaProducer<String, String> producer = producerWithoutRetries(b, "across-producer-b")) {
            assertThat(failedSends(producer, "across-broken", refused)).as("sends through B to the topic in scope")
                    .containsOnlyKeys(NotEnoughReplicasException.class.getSimpleName())
                    .containsEntry(NotEnoughReplicasException.class.getSimpleName(), refused.size());
            assertThat(failedSends(producer, "across-healthy", healthy)).as("failed sends through B to another topic").isEmpty();
        }
        JsonNode atB = rule(b, "across-broken").orElseThrow();
        assertThat(atB.path("affected").asLong()).as("requests B failed").isPositive();
        assertThat(rule(a, "across-broken").orElseThrow().path("matched").asLong())
                .as("requests A matched, which no client sent through A").isZero();
        assertThat(endOffset("across-broken")).as("records written by failed sends").isZero();
        Records.assertExactlyOnce(healthy, Records.committedValues(cluster.bootstrapServers(), "across-healthy",
                healthy.size(), SHARED_WAIT));

        HttpResponse<String> removed = send(b, "DELETE", "/api/v1/chaos/rules/across-broken", null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        Await.until(() -> rule(a, "across-broken").isEmpty(), SHARED_WAIT, "A to drop the rule removed at B");
        List<String> accepted = Records.numbered("across-accepted", 10);
        try (KafkaProducer<String, String> producer = producerWithoutRetries(a, "across-producer-a")) {
            assertThat(failedSends(producer, "across-broken", accepted)).as("failed sends through A after the removal").isEmpty();
        }
        Records.assertExactlyOnce(accepted, Records.committedValues(cluster.bootstrapServers(), "across-broken",
                accepted.size(), SHARED_WAIT));
    }

    @Test
    void aRuleOutlivesARestartOfAnInstanceWithItsExpiryAndAnExpiredOneStaysGone() throws Exception {
        assertThat(send(a, "POST", "/api/v1/chaos/rules", "{\"name\":\"across-short\",\"type\":\"latency\","
                + "\"duration\":\"1s\",\"params\":{\"delay\":\"1ms\"}}").statusCode()).isEqualTo(201);
        assertThat(send(a, "POST", "/api/v1/chaos/rules", "{\"name\":\"across-long\",\"type\":\"latency\","
                + "\"duration\":\"10m\",\"scope\":{\"clientId\":\"nobody\"},\"params\":{\"delay\":\"1ms\"}}").statusCode())
                .isEqualTo(201);
        Await.until(() -> rule(b, "across-long").isPresent(), SHARED_WAIT, "B to list the rule added at A");
        JsonNode before = rule(b, "across-long").orElseThrow();
        Await.until(() -> rule(a, "across-short").isEmpty() && rule(b, "across-short").isEmpty(), SHARED_WAIT,
                "the 1s rule to expire at both instances");

        b.close();
        b = Instance.start(cluster);

        Await.until(() -> rule(b, "across-long").isPresent(), SHARED_WAIT, "the restarted B to list the rule");
        JsonNode after = rule(b, "across-long").orElseThrow();
        assertThat(after.path("expiresAt").asText()).as("expiry after the restart").isEqualTo(before.path("expiresAt").asText())
                .isNotEqualTo("unlimited");
        assertThat(after.path("addedAt").asText()).isEqualTo(before.path("addedAt").asText());
        assertThat(after.path("seed").asLong()).isEqualTo(before.path("seed").asLong());
        // The shared history is one partition read in order: with the later rule listed, the expired one was read too.
        assertThat(rules(b)).extracting(rule -> rule.path("name").asText()).containsExactly("across-long");
    }

    private List<JsonNode> rules(Instance instance) {
        try {
            HttpResponse<String> response = send(instance, "GET", "/api/v1/chaos/rules", null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            List<JsonNode> rules = new ArrayList<>();
            Json.MAPPER.readTree(response.body()).forEach(rules::add);
            return rules;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Optional<JsonNode> rule(Instance instance, String name) {
        return rules(instance).stream().filter(rule -> rule.path("name").asText().equals(name)).findFirst();
    }

    private HttpResponse<String> send(Instance instance, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(instance.uri(path)).header("X-Switchboard-Actor", "chaos-across-test")
                .header("Authorization", instance.bearer())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static KafkaProducer<String, String> producerWithoutRetries(Instance instance, String clientId) {
        Map<String, Object> props = new HashMap<>(instance.fixture().clientProperties(clientId));
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Sends every value, waits for each, and counts the failed sends by the exception's class. */
    private static Map<String, Integer> failedSends(KafkaProducer<String, String> producer, String topic, List<String> values)
            throws InterruptedException {
        Map<String, Integer> failed = new HashMap<>();
        for (String value : values) {
            Future<RecordMetadata> send = producer.send(new ProducerRecord<>(topic, value, value));
            try {
                send.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed.merge(e.getCause().getClass().getSimpleName(), 1, Integer::sum);
            } catch (TimeoutException e) {
                throw new AssertionError("a send to " + topic + " had no answer within 60 s", e);
            }
        }
        return failed;
    }

    private long endOffset(String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(30, TimeUnit.SECONDS).offset();
        }
    }
}
