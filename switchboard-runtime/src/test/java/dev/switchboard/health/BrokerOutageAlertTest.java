package dev.switchboard.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.config.AlertConfig;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The health verdict against a real broker: errors a chaos rule makes do not count against the cluster, stopping the
 * primary's broker for real turns the verdict to down and POSTs the alert to a webhook, and starting it again turns
 * it back. The webhook is a JDK HTTP server in the test.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerOutageAlertTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "detect-events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafkaCluster primary;
    private HttpServer webhook;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "detect-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "detect-secondary", nodeIds = {8}) EmbeddedKafkaCluster secondary) throws IOException {
        this.primary = primary;
        primary.createTopic(TOPIC, 2, 1);
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        webhook.createContext("/alerts", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                received.add(JSON.readTree(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        webhook.start();
        String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts";
        // minResponses 1: a single produce error counted against the cluster would judge it down.
        DetectionConfig detection = new DetectionConfig("500ms", "3s", 0.5, 1, "10s", new AlertConfig(url, "2s", 10), null);
        gateway = GatewayFixture.withDetection(null, detection, primary, secondary);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (primary != null && !primary.isRunning(0)) {
            primary.startBroker(0);
        }
    }

    @Test
    @Order(1)
    void errorsMadeByAChaosRuleDoNotCountAgainstTheCluster() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(TOPIC, "first")).get(30, TimeUnit.SECONDS);
            Await.until(() -> gateway.gateway().health().health() == Health.HEALTHY && gateway.gateway().health().produceResponses() > 0,
                    WAIT, "the primary to be judged healthy on a produce response it sent");

            gateway.gateway().chaos().add(JSON.readTree("""
                    {"name": "detect-broken", "type": "broken-broker", "params": {"errors": {"produce": "NOT_ENOUGH_REPLICAS"}}}
                    """), "test");
            int failed = 0;
            for (int i = 0; i < 5; i++) {
                try {
                    producer.send(new ProducerRecord<>(TOPIC, "refused-" + i)).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(NotEnoughReplicasException.class);
                    failed++;
                }
            }
            assertThat(failed).as("sends the chaos rule failed").isEqualTo(5);
            Instant after = Instant.now();
            Await.until(() -> gateway.gateway().health().checkedAt().isAfter(after.plusSeconds(1)), WAIT, "two more checks");
            assertThat(gateway.gateway().health().health()).as(gateway.gateway().health().toString()).isEqualTo(Health.HEALTHY);
            assertThat(received).as("alerts raised").isEmpty();
        } finally {
            gateway.gateway().chaos().remove("detect-broken", "test");
        }
    }

    @Test
    @Order(2)
    void stoppingThePrimarysBrokerFiresTheAlertAndStartingItAgainClearsIt() throws Exception {
        Await.until(() -> gateway.gateway().health().health() == Health.HEALTHY, WAIT, "the primary to be judged healthy");
        Instant stoppedAt = Instant.now();
        primary.stopBroker(0);

        JsonNode down = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(down).as("the webhook's first alert").isNotNull();
        assertThat(down.path("type").asText()).isEqualTo("health.down");
        assertThat(down.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(down.path("cluster").asText()).isEqualTo(primary.name());
        assertThat(down.path("instance").asText()).isEqualTo(gateway.gateway().instanceId());
        assertThat(down.path("summary").asText()).contains(primary.name(), "down", "was healthy");
        assertThat(Instant.parse(down.path("at").asText())).isAfter(stoppedAt);
        // A broker stopping in order first gives up leadership while it still answers, so the first evidence may be
        // the leaders, before it is the broker itself.
        assertThat(down.path("evidence")).extracting(JsonNode::asText).anySatisfy(evidence -> assertThat(evidence).satisfiesAnyOf(
                e -> assertThat(e).startsWith("no broker of cluster " + primary.name() + " answered"),
                e -> assertThat(e).isEqualTo("2 partitions produced to have no leader: " + TOPIC + "-0, " + TOPIC + "-1")));

        Await.until(() -> gateway.gateway().health().findings().stream().anyMatch(f -> f.check().equals("brokers-reachable")),
                WAIT, "the verdict to say no broker answers");
        Verdict verdict = gateway.gateway().health();
        assertThat(verdict.health()).isEqualTo(Health.DOWN);
        assertThat(gateway.gateway().ready()).isFalse();
        assertThat(gateway.gateway().status().health().health()).isEqualTo(Health.DOWN);
        // The webhook's answer, which the sender counts, may come after the test read the alert.
        Await.until(() -> gateway.gateway().metrics().scrape().contains("switchboard_alerts_webhook_total{outcome=\"sent\"} 1.0"),
                WAIT, "the webhook's answer to be counted");
        String metrics = gateway.gateway().metrics().scrape();
        assertThat(metrics).contains("switchboard_health_verdict{verdict=\"down\"} 1.0")
                .contains("switchboard_alerts_total{type=\"health.down\"} 1.0")
                .contains("switchboard_alerts_webhook_total{outcome=\"failed\"} 0.0");

        primary.startBroker(0);
        JsonNode up = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(up).as("the webhook's second alert").isNotNull();
        assertThat(up.path("type").asText()).isEqualTo("health.healthy");
        assertThat(up.path("severity").asText()).isEqualTo("INFO");
        assertThat(up.path("summary").asText()).contains("was down");
        assertThat(received).as("alerts beyond the two turns").isEmpty();
        Await.until(() -> gateway.gateway().ready(), WAIT, "the gateway to be ready again");
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> props = gateway.clientProperties("detect-producer");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        return new KafkaProducer<>(props);
    }
}
