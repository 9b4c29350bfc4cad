package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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
    void leaderMovesWhileClientsRunAndKip951EndpointsAreRewritten(
            @KafkaCluster(name = "three-brokers", nodeIds = {1, 5, 9}) EmbeddedKafkaCluster cluster) throws Exception {
        String topic = "moving-leader";
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 5, 9))))).all().get(30, TimeUnit.SECONDS);
            Await.until(() -> leaderOf(admin, topic) == 1, WAIT, "node 1 to lead " + topic);
        }
        List<String> sent = Records.numbered("moving", 600);
        List<String> received = new ArrayList<>();
        try (GatewayFixture gateway = new GatewayFixture(cluster);
             KafkaProducer<String, String> producer = producer(gateway, "moving-producer");
             KafkaConsumer<String, String> consumer = consumer(gateway, "moving-consumer")) {
            consumer.subscribe(List.of(topic));
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>(topic, sent.get(i), sent.get(i))).get(60, TimeUnit.SECONDS);
            }
            received.addAll(Records.pollValues(consumer, 300, WAIT));

            // Make node 5 the leader; both clients still believe node 1 leads.
            try (Admin admin = cluster.admin()) {
                admin.alterPartitionReassignments(Map.of(new TopicPartition(topic, 0),
                        Optional.of(new NewPartitionReassignment(List.of(5, 9, 1)))))
                        .all().get(30, TimeUnit.SECONDS);
                Await.until(() -> {
                    try {
                        admin.electLeaders(ElectionType.PREFERRED,
                                Set.of(new TopicPartition(topic, 0))).all().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // already the preferred leader, or the reassignment is still settling
                    }
                    return leaderOf(admin, topic) == 5;
                }, WAIT, "node 5 to lead " + topic);
            }
            // The consumer's next fetch goes to node 1, which answers NOT_LEADER with node 5's endpoint.
            Await.until(() -> {
                received.addAll(Records.pollValues(consumer, 0, Duration.ofMillis(100)));
                return rewrittenCount(gateway, "Fetch") > 0;
            }, WAIT, "a Fetch response with leader endpoints to be rewritten");
            for (int i = 300; i < sent.size(); i++) {
                producer.send(new ProducerRecord<>(topic, sent.get(i), sent.get(i))).get(60, TimeUnit.SECONDS);
            }
            received.addAll(Records.pollValues(consumer, sent.size() - received.size(), WAIT));
            assertThat(producer.partitionsFor(topic).get(0).leader().port())
                    .isEqualTo(gateway.gateway().status().listeners().nodePorts().get(5));
            assertThat(rewrittenCount(gateway, "Produce")).as("Produce responses with leader endpoints rewritten").isPositive();
            assertThat(gateway.detector().sightings()).isEmpty();
        }
        Records.assertExactlyOnce(sent, received);
    }

    private static double rewrittenCount(GatewayFixture gateway, String api) {
        Counter counter = gateway.gateway().metrics().registry()
                .find("switchboard.responses.rewritten").tag("api", api).counter();
        return counter == null ? 0 : counter.count();
    }

    private static int leaderOf(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().get(0).leader().id();
        } catch (Exception e) {
            return -1;
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
