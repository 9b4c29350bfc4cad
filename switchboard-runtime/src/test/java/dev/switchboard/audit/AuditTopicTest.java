package dev.switchboard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.failover.SwitchStateStore;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every audited admin action is also on the audit topic of every cluster, so the trail survives the loss of either. */
@ExtendWith(SharedClusters.class)
class AuditTopicTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAdminActionIsOnTheAuditTopicOfEveryCluster(@KafkaCluster(name = "audit-primary") EmbeddedKafkaCluster primary,
                                                      @KafkaCluster(name = "audit-secondary", nodeIds = {2}) EmbeddedKafkaCluster secondary) {
        String name = "audited-" + System.nanoTime();
        try (GatewayFixture gateway = new GatewayFixture(primary, secondary)) {
            gateway.gateway().adminTokens().create(name, AdminRole.VIEWER, "audit-topic-test");
            for (EmbeddedKafkaCluster cluster : List.of(primary, secondary)) {
                Await.until(() -> events(cluster).stream().anyMatch(event -> event.path("action").asText().equals("token-create")
                                && event.path("actor").asText().equals("audit-topic-test")
                                && event.path("request").path("name").asText().equals(name)),
                        Duration.ofSeconds(30), "the token's creation on the audit topic of " + cluster.name());
            }
        }
    }

    private static List<JsonNode> events(EmbeddedKafkaCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<JsonNode> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            if (consumer.partitionsFor(SwitchStateStore.AUDIT_TOPIC, Duration.ofSeconds(5)).isEmpty()) {
                return events;
            }
            TopicPartition partition = new TopicPartition(SwitchStateStore.AUDIT_TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    events.add(JSON.readTree(record.value()));
                }
            }
        } catch (KafkaException e) {
            return events; // not created yet, or the cluster not answering yet: asked again
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an audit event that is not JSON", e);
        }
        return events;
    }
}
