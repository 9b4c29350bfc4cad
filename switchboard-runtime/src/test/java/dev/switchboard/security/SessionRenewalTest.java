package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.config.UserConfig;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.SaslClients;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * KIP-368 at the gateway: sessions last {@code maxSessionMs}, the gateway tells clients so, and a Java producer
 * authenticates again on its connection before its session ends; every send of a producer that outlives several
 * sessions succeeds, and no connection is closed for an expired session.
 */
@ExtendWith(SharedClusters.class)
class SessionRenewalTest {

    @Test
    void aJavaProducerRenewsItsSessionOnItsConnectionAndLosesNothing(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster)
            throws Exception {
        String topic = "sasl-renewal";
        cluster.createTopic(topic, 1, 1);
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512"), 1_500L),
                List.of(new UserConfig("renewer", "renewer-secret", null)));
        try (GatewayFixture gateway = GatewayFixture.withSecurity(security, cluster)) {
            MeterRegistry registry = gateway.gateway().metrics().registry();
            Map<String, Object> props = new HashMap<>(SaslClients.properties(gateway.clientProperties("renewing-producer"),
                    "SCRAM-SHA-512", "renewer", "renewer-secret"));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                // Over five sessions' worth of time, on the same connections.
                for (int i = 0; i < 32; i++) {
                    String value = "renewal-" + i;
                    producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
                    sent.add(value);
                    Thread.sleep(250);
                }
            }
            assertThat(count(registry, "switchboard.client.authentications", "renewal", "true")).as("sessions renewed").isPositive();
            assertThat(count(registry, "switchboard.connections.closed", "cause", "session_expired")).isZero();
            assertThat(endOffset(cluster, topic)).as("records on the cluster").isEqualTo(sent.size());
        }
    }

    private static long endOffset(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
        }
    }

    private static double count(MeterRegistry registry, String name, String tag, String value) {
        Counter counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
