package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.switchboard.gateway.GatewayStatus;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Upstream clusters with several brokers and non-contiguous node ids: every node gets its own gateway port,
 * clients reach each partition leader through that port, and a broker that joins later gets a port too.
 */
@ExtendWith(SharedClusters.class)
class MultiBrokerClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void leadersOnDifferentBrokersAreReachedThroughTheirOwnPorts(
            @KafkaCluster(name = "three-brokers", nodeIds = {1, 5, 9}) EmbeddedKafkaCluster cluster) throws Exception {
        cluster.createTopic("spread", 6, 3);
        try (GatewayFixture gateway = new GatewayFixture(cluster)) {
            Map<Integer, Integer> nodePorts = gateway.gateway().status().listeners().nodePorts();
            assertThat(nodePorts).containsOnlyKeys(1, 5, 9);
            assertThat(Set.copyOf(nodePorts.values())).hasSize(3).allMatch(gateway.nodePorts()::contains);

            List<String> sent = Records.numbered("spread", 3000);
            try (KafkaProducer<String, String> producer = producer(gateway, "spread-producer");
                 KafkaConsumer<String, String> consumer = consumer(gateway, "spread-consumer")) {
                List<PartitionInfo> partitions = producer.partitionsFor("spread");
                Set<Integer> leaders = partitions.stream().map(p -> p.leader().id()).collect(Collectors.toSet());
                assertThat(leaders).as("partition leaders sit on different brokers").hasSize(3);
                for (PartitionInfo partition : partitions) {
                    assertThat(partition.leader().host()).isEqualTo(GatewayFixture.ADVERTISED_HOST);
                    assertThat(partition.leader().port()).isEqualTo(nodePorts.get(partition.leader().id()));
                }
                List<Future<?>> sends = new ArrayList<>();
                sent.forEach(v -> sends.add(producer.send(new ProducerRecord<>("spread", v, v))));
                for (Future<?> send : sends) {
                    send.get(60, TimeUnit.SECONDS);
                }
                consumer.subscribe(List.of("spread"));
                Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), WAIT));

                Set<String> listeners = gateway.gateway().status().clients().stream()
                        .flatMap(c -> c.details().stream()).map(d -> d.listener()).collect(Collectors.toSet());
                assertThat(listeners).as("clients connected to every node's own port")
                        .contains("node-1", "node-5", "node-9");
            }
            assertThat(gateway.detector().sightings()).isEmpty();
        }
    }

    @Test
    void brokerThatJoinsAfterTheGatewayStartedGetsAPort(
            @KafkaCluster(name = "late-joiner", nodeIds = {0, 7}) EmbeddedKafkaCluster cluster) throws Exception {
        cluster.stopBroker(7);
        try (GatewayFixture gateway = new GatewayFixture(cluster)) {
            assertThat(gateway.gateway().status().listeners().nodePorts()).containsOnlyKeys(0);

            cluster.startBroker(7);
            try (Admin admin = cluster.admin()) {
                Await.until(() -> describeNodeCount(admin) == 2, WAIT, "broker 7 to rejoin");
                admin.createTopics(List.of(new NewTopic("on-node-7", Map.of(0, List.of(7))))).all().get(30, TimeUnit.SECONDS);
            }
            List<String> sent = Records.numbered("late", 200);
            try (KafkaProducer<String, String> producer = producer(gateway, "late-producer");
                 KafkaConsumer<String, String> consumer = consumer(gateway, "late-consumer")) {
                for (String value : sent) {
                    producer.send(new ProducerRecord<>("on-node-7", value, value)).get(60, TimeUnit.SECONDS);
                }
                PartitionInfo partition = producer.partitionsFor("on-node-7").get(0);
                GatewayStatus status = gateway.gateway().status();
                assertThat(status.listeners().nodePorts()).containsKeys(0, 7);
                assertThat(partition.leader().id()).isEqualTo(7);
                assertThat(partition.leader().port()).isEqualTo(status.listeners().nodePorts().get(7));
                consumer.subscribe(List.of("on-node-7"));
                Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), WAIT));
            }
            assertThat(gateway.detector().sightings()).isEmpty();
        }
    }

    private static int describeNodeCount(Admin admin) {
        try {
            return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
        } catch (Exception e) {
            return -1;
        }
    }

    private static KafkaProducer<String, String> producer(GatewayFixture gateway, String clientId) {
        Map<String, Object> props = gateway.clientProperties(clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    private static KafkaConsumer<String, String> consumer(GatewayFixture gateway, String clientId) {
        Map<String, Object> props = gateway.clientProperties(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, clientId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(props);
    }
}
