package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.config.PortRange;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedClusters.class)
class AdminServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private String bearer;

    @Test
    void statusAndMetricsShowTheTraffic(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) throws Exception {
        cluster.createTopic("admin-api-traffic", 2, 1);
        try (GatewayFixture fixture = new GatewayFixture(cluster);
             AdminServer admin = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0))) {
            bearer = AdminTokensForTests.admin(fixture.gateway());
            Map<String, Object> props = fixture.clientProperties("orders-service");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("admin-api-traffic", "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                }

                JsonNode status = Json.MAPPER.readTree(get(admin, "/api/v1/status").body());
                assertThat(status.get("activeCluster").asText()).isEqualTo(cluster.name());
                JsonNode clusterStatus = status.get("clusters").get(0);
                assertThat(clusterStatus.get("name").asText()).isEqualTo(cluster.name());
                assertThat(clusterStatus.get("active").asBoolean()).isTrue();
                assertThat(clusterStatus.get("reachable").asBoolean()).isTrue();
                assertThat(clusterStatus.get("clusterId").asText()).isEqualTo(cluster.clusterId());
                assertThat(status.get("listeners").get("bootstrapPort").asInt()).isEqualTo(fixture.bootstrapPort());
                assertThat(status.get("listeners").get("nodePorts").size()).isEqualTo(1);
                JsonNode orders = null;
                for (JsonNode client : status.get("clients")) {
                    if (client.get("clientId").asText().equals("orders-service")) {
                        orders = client;
                    }
                }
                assertThat(orders).as("connections of orders-service in %s", status).isNotNull();
                assertThat(orders.get("connections").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(orders.get("details").get(0).get("cluster").asText()).isEqualTo(cluster.name());
                assertThat(status.get("openConnections").asInt()).isGreaterThanOrEqualTo(orders.get("connections").asInt());
            }

            HttpResponse<String> metrics = get(admin, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(counter(metrics.body(), "switchboard_requests_total{api=\"Produce\"}")).isGreaterThanOrEqualTo(50);
            assertThat(counter(metrics.body(), "switchboard_requests_total{api=\"Metadata\"}")).isGreaterThanOrEqualTo(1);
            assertThat(counter(metrics.body(), "switchboard_client_received_bytes_total{api=\"Produce\"}")).isPositive();
            assertThat(counter(metrics.body(), "switchboard_client_sent_bytes_total{api=\"Produce\"}")).isPositive();
            assertThat(counter(metrics.body(), "switchboard_request_latency_seconds_count{api=\"Produce\"}")).isGreaterThanOrEqualTo(50);
            assertThat(counter(metrics.body(), "switchboard_gateway_latency_seconds_count{api=\"Produce\"}")).isGreaterThanOrEqualTo(50);
            assertThat(metrics.body()).contains("switchboard_request_latency_seconds_bucket{api=\"Produce\",le=\"0.001\"}");
            assertThat(metrics.body()).contains("switchboard_connections_open ");
            assertThat(counter(metrics.body(), "switchboard_connections_opened_total{listener=\"bootstrap\"}")).isPositive();
        }
    }

    @Test
    void healthFollowsTheActiveCluster(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) throws Exception {
        try (GatewayFixture fixture = new GatewayFixture(cluster);
             AdminServer admin = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0))) {
            bearer = AdminTokensForTests.admin(fixture.gateway());
            assertThat(get(admin, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(admin, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(ready.body()).get("status").asText()).isEqualTo("ready");
        }
        // A gateway whose active cluster is not there is live, but not ready, and says why.
        int[] ports = FreePorts.distinct(3);
        GatewayConfig unreachable = new GatewayConfig(
                new ListenerConfig("127.0.0.1", "127.0.0.1", ports[0], new PortRange(ports[1], ports[1]), 0),
                null, List.of(new ClusterConfig("gone", "127.0.0.1:" + ports[2], Map.of())), "gone");
        try (Gateway gateway = Gateway.start(unreachable);
             AdminServer admin = AdminServer.start(gateway, new AdminConfig("127.0.0.1", 0))) {
            bearer = AdminTokensForTests.admin(gateway);
            assertThat(get(admin, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(admin, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode body = Json.MAPPER.readTree(ready.body());
            assertThat(body.get("status").asText()).isEqualTo("not ready");
            assertThat(body.get("reason").asText()).startsWith("active cluster gone is unreachable");
        }
    }

    @Test
    void unknownResourcesAndMethodsAreRefusedClearly(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) throws Exception {
        try (GatewayFixture fixture = new GatewayFixture(cluster);
             AdminServer admin = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0))) {
            bearer = AdminTokensForTests.admin(fixture.gateway());
            HttpResponse<String> missing = get(admin, "/api/v1/nope");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("no resource at /api/v1/nope").contains("/api/v1/status");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(admin, "/api/v1/status"))
                    .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        }
    }

    private HttpResponse<String> get(AdminServer admin, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(admin, path)).header("Authorization", "Bearer " + bearer).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AdminServer admin, String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }

    private static double counter(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no series " + series + " in /metrics"));
    }
}
