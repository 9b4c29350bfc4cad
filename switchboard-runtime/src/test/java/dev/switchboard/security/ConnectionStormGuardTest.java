package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ConnectionLimitsConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outage where an application makes a producer per request, reproduced: every record still arrives once, but
 * the brokers see new connections and producer ids at no more than the allowed rate, and status names the client.
 * A client over its ceiling of open connections has the next one closed before any broker sees it.
 */
@ExtendWith(SharedClusters.class)
class ConnectionStormGuardTest {

    private static final int RATE = 4;

    @Test
    void aProducerPerRequestReachesTheBrokersAtTheAllowedRateOnly(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster)
            throws Exception {
        String topic = "storm-orders";
        cluster.createTopic(topic, 1, 1);
        ConnectionLimitsConfig limits = new ConnectionLimitsConfig(RATE, 0, RATE, "30s");
        try (GatewayFixture gateway = GatewayFixture.withSecurity(new SecurityConfig(null, null, null, null, limits), cluster)) {
            MeterRegistry registry = gateway.gateway().metrics().registry();
            List<String> sent = Records.numbered(topic, 12);
            double upstreamBefore = count(registry, "switchboard.upstream.connections.opened");
            double producerIdsBefore = requests(registry, "InitProducerId");
            long start = System.nanoTime();
            for (String value : sent) {
                // The anti-pattern: a new idempotent producer, so a new connection and a new producer id, per record.
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(gateway))) {
                    producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
                }
            }
            double elapsedSeconds = (System.nanoTime() - start) / 1e9;
            double upstream = count(registry, "switchboard.upstream.connections.opened") - upstreamBefore;
            double producerIds = requests(registry, "InitProducerId") - producerIdsBefore;

            assertThat(producerIds).as("producer ids asked for").isEqualTo(sent.size());
            assertThat(upstream).as("upstream connections opened").isGreaterThanOrEqualTo(sent.size());
            // Turns are spaced 1/RATE apart from the first, so opening them all took at least this long.
            assertThat(elapsedSeconds).as("seconds to open %s upstream connections at %s per second", upstream, RATE)
                    .isGreaterThanOrEqualTo((upstream - 1) / RATE);
            assertThat(elapsedSeconds).as("seconds to forward %s producer ids at %s per second", producerIds, RATE)
                    .isGreaterThanOrEqualTo((producerIds - 1) / RATE);
            assertThat(count(registry, "switchboard.storm.guard.delayed")).isPositive();
            assertThat(gateway.gateway().status().overLimits()).anySatisfy(over -> {
                assertThat(over.client()).isEqualTo("clientId:storm-app");
                assertThat(over.limit()).isIn("newConnectionsPerSecond", "newProducerIdsPerSecond");
            });
            Records.assertExactlyOnce(sent, readAll(cluster, topic, sent.size()));
        }
    }

    @Test
    void oneConnectionOverTheCeilingIsClosedBeforeABrokerSeesIt(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster)
            throws Exception {
        ConnectionLimitsConfig limits = new ConnectionLimitsConfig(0, 3, 0, null);
        try (GatewayFixture gateway = GatewayFixture.withSecurity(new SecurityConfig(null, null, null, null, limits), cluster)) {
            MeterRegistry registry = gateway.gateway().metrics().registry();
            List<RawKafkaSocket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawKafkaSocket socket = new RawKafkaSocket(GatewayFixture.ADVERTISED_HOST, gateway.bootstrapPort());
                    open.add(socket);
                    socket.apiVersions((short) 3);
                }
                double upstreamBefore = count(registry, "switchboard.upstream.connections.opened");
                try (RawKafkaSocket fourth = new RawKafkaSocket(GatewayFixture.ADVERTISED_HOST, gateway.bootstrapPort())) {
                    fourth.send((short) 18, (short) 3, (short) 2, new ApiVersionsRequestData());
                    assertThat(fourth.closedByPeer()).isTrue();
                }
                assertThat(count(registry, "switchboard.upstream.connections.opened")).isEqualTo(upstreamBefore);
                assertThat(gateway.gateway().status().overLimits()).anySatisfy(over ->
                        assertThat(List.of(over.client(), over.limit())).containsExactly("clientId:raw-socket", "maxConnections"));

                open.remove(0).close();
                Await.until(() -> gateway.gateway().status().openConnections() == 2, Duration.ofSeconds(30),
                        "the gateway to see one connection close");
                RawKafkaSocket again = new RawKafkaSocket(GatewayFixture.ADVERTISED_HOST, gateway.bootstrapPort());
                open.add(again);
                assertThat(again.apiVersions((short) 3).errorCode()).as("one closed, one more may come").isZero();
            } finally {
                for (RawKafkaSocket socket : open) {
                    socket.close();
                }
            }
        }
    }

    private static Map<String, Object> producerProps(GatewayFixture gateway) {
        Map<String, Object> props = gateway.clientProperties("storm-app");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    private static List<String> readAll(EmbeddedKafkaCluster cluster, String topic, int expected) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            return Records.pollValues(consumer, expected, Duration.ofSeconds(30));
        }
    }

    private static double requests(MeterRegistry registry, String api) {
        Counter counter = registry.find("switchboard.requests").tag("api", api).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double count(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
