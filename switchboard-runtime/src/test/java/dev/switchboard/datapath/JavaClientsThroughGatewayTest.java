package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Unmodified Java clients (producers, consumers of both group protocols, transactions, Admin, Kafka Streams)
 * through the gateway. Each test counts every record, and no test may see an upstream address.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavaClientsThroughGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedKafkaCluster cluster;
    private GatewayFixture gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        this.gateway = new GatewayFixture(cluster);
    }

    @AfterAll
    void stopGateway() {
        gateway.close();
    }

    @AfterEach
    void noUpstreamAddressReachedAClient() {
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    @Test
    void idempotentProducerWithAcksAllLosesAndDuplicatesNothing() throws Exception {
        cluster.createTopic("idempotent", 3, 1);
        List<String> sent = Records.numbered("idem", 2000);
        produce("idempotent", sent, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        Records.assertExactlyOnce(sent, consumeFromStart("idempotent", sent.size()));
    }

    @Test
    void producerWithAcksZeroIsServedAndLeavesNoRequestHanging() throws Exception {
        cluster.createTopic("acks-zero", 1, 1);
        List<String> sent = Records.numbered("zero", 500);
        produce("acks-zero", sent, Map.of(ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
        // acks=0 promises nothing, but over loopback to a healthy broker every record arrives.
        Records.assertExactlyOnce(sent, consumeFromStart("acks-zero", sent.size()));
    }

    @Test
    void classicConsumerGroupSharesPartitionsAndCommits() throws Exception {
        groupConsumption("classic-topic", "classic-group", GroupType.CLASSIC);
    }

    @Test
    void newConsumerGroupProtocolWorks() throws Exception {
        groupConsumption("kip848-topic", "kip848-group", GroupType.CONSUMER);
    }

    private void groupConsumption(String topic, String group, GroupType protocol) throws Exception {
        cluster.createTopic(topic, 4, 1);
        List<String> sent = Records.numbered(topic, 1000);
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> first = groupConsumer(group, protocol, "first");
             KafkaConsumer<String, String> second = groupConsumer(group, protocol, "second")) {
            first.subscribe(List.of(topic));
            second.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((first.assignment().isEmpty() || second.assignment().isEmpty()
                    || first.assignment().size() + second.assignment().size() < 4) && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
                second.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
            }
            produce(topic, sent, Map.of());
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
                second.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
            }
            first.commitSync();
            second.commitSync();
            assertThat(first.assignment()).isNotEmpty();
            assertThat(second.assignment()).isNotEmpty();
            try (Admin admin = admin()) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                        .get(30, TimeUnit.SECONDS).get(group);
                assertThat(description.type()).isEqualTo(protocol);
                assertThat(description.members()).hasSize(2);
                assertGatewayAddress(description.coordinator());
                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                        .values().stream().mapToLong(o -> o.offset()).sum();
                assertThat(committed).isEqualTo(sent.size());
            }
        }
        Records.assertExactlyOnce(sent, received);
    }

    @Test
    void transactionsAreAtomicForReadCommittedConsumers() throws Exception {
        cluster.createTopic("transactions", 2, 1);
        Map<String, Object> props = gateway.clientProperties("tx-producer");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "switchboard-tx");
        List<String> committed = Records.numbered("committed", 300);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            committed.subList(0, 150).forEach(v -> producer.send(new ProducerRecord<>("transactions", v, v)));
            producer.commitTransaction();
            producer.beginTransaction();
            Records.numbered("aborted", 100).forEach(v -> producer.send(new ProducerRecord<>("transactions", v, v)));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            committed.subList(150, 300).forEach(v -> producer.send(new ProducerRecord<>("transactions", v, v)));
            producer.commitTransaction();
        }
        Map<String, Object> consumerProps = consumerProperties("tx-reader", null);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of("transactions"));
            Records.assertExactlyOnce(committed, Records.pollValues(consumer, committed.size(), WAIT));
        }
    }

    @Test
    void adminClientManagesTopicsGroupsAndConfigsThroughTheGateway() throws Exception {
        try (Admin admin = admin()) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            assertThat(nodes).hasSize(1);
            nodes.forEach(this::assertGatewayAddress);
            assertGatewayAddress(admin.describeCluster().controller().get(30, TimeUnit.SECONDS));
            // The gateway's own id, which stays when another cluster takes over.
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                    .isEqualTo(gateway.gateway().config().listener().clusterId()).isNotEqualTo(cluster.clusterId());

            admin.createTopics(List.of(new NewTopic("admin-made", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            // Brokers learn of a new topic from the controller a moment after createTopics returns.
            Await.until(() -> listTopics(admin).contains("admin-made"), WAIT, "admin-made to be listed");
            admin.describeTopics(List.of("admin-made")).allTopicNames().get(30, TimeUnit.SECONDS).get("admin-made")
                    .partitions().forEach(p -> assertGatewayAddress(p.leader()));

            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "admin-made");
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            // The broker answering describeConfigs applies the change from the controller's log a moment later.
            Await.until(() -> "3600000".equals(configValue(admin, topic, "retention.ms")), WAIT,
                    "the topic's new retention to be described");

            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(cluster.nodeIds().get(0)));
            Config brokerConfig = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            assertThat(brokerConfig.get("num.io.threads").value()).isEqualTo("2");
            assertThat(brokerConfig.get("advertised.listeners").value()).as("broker addresses are hidden").isNull();
            assertThat(brokerConfig.get("advertised.listeners").isSensitive()).isTrue();

            produce("admin-made", List.of("x"), Map.of());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("admin-group-member", "admin-group"))) {
                consumer.subscribe(List.of("admin-made"));
                Records.pollValues(consumer, 1, WAIT);
                consumer.commitSync();
            }
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS)).anyMatch(g -> g.groupId().equals("admin-group"));
            admin.deleteConsumerGroups(List.of("admin-group")).all().get(30, TimeUnit.SECONDS);
            admin.deleteTopics(List.of("admin-made")).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void kafkaStreamsTopologyTransformsEveryRecordOnce() throws Exception {
        cluster.createTopic("streams-in", 2, 1);
        cluster.createTopic("streams-out", 2, 1);
        Properties props = new Properties();
        props.putAll(gateway.clientProperties("streams-app"));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "switchboard-streams");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream("streams-in").mapValues(v -> v.toUpperCase(Locale.ROOT))
                .to("streams-out", Produced.with(Serdes.String(), Serdes.String()));
        List<String> sent = Records.numbered("stream", 300);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            produce("streams-in", sent, Map.of());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("streams-check", null))) {
                consumer.subscribe(List.of("streams-out"));
                List<String> expected = sent.stream().map(v -> v.toUpperCase(Locale.ROOT)).toList();
                Records.assertExactlyOnce(expected, Records.pollValues(consumer, expected.size(), WAIT));
            }
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void shareGroupConsumersGetEveryRecord() throws Exception {
        try (Admin admin = cluster.admin()) {
            // Share groups (KIP-932) are a feature the cluster turns on.
            admin.updateFeatures(Map.of("share.version", new FeatureUpdate((short) 1,
                    FeatureUpdate.UpgradeType.UPGRADE)),
                    new UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
        }
        cluster.createTopic("shared", 2, 1);
        Map<String, Object> props = consumerProperties("share-member", "share-group");
        props.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        List<String> received = new ArrayList<>();
        List<String> sent = Records.numbered("share", 300);
        try (KafkaShareConsumer<String, String> consumer =
                     new KafkaShareConsumer<>(props)) {
            try (Admin admin = admin()) {
                // A new share group starts at the latest offset unless told otherwise.
                ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "share-group");
                admin.incrementalAlterConfigs(Map.of(group, List.of(new AlterConfigOp(
                        new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            consumer.subscribe(List.of("shared"));
            produce("shared", sent, Map.of());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
                consumer.commitSync();
            }
        }
        Records.assertExactlyOnce(sent, received);
        for (String api : List.of("ShareGroupHeartbeat", "ShareFetch")) {
            Counter requests = gateway.gateway().metrics().registry()
                    .find("switchboard.requests").tag("api", api).counter();
            assertThat(requests).as("%s requests through the gateway", api).isNotNull();
            assertThat(requests.count()).isPositive();
        }
    }

    @Test
    void metadataOnlyEverNamesGatewayAddresses() {
        cluster.createTopic("addresses", 3, 1);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("metadata-check", null))) {
            List<PartitionInfo> partitions = consumer.partitionsFor("addresses");
            assertThat(partitions).hasSize(3);
            partitions.forEach(p -> assertGatewayAddress(p.leader()));
            assertThat(gateway.gateway().status().clients()).anyMatch(c -> c.clientId().equals("metadata-check"));
        }
    }

    private static String configValue(Admin admin, ConfigResource resource, String name) {
        try {
            return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name).value();
        } catch (Exception e) {
            throw new AssertionError("describeConfigs failed", e);
        }
    }

    private static Set<String> listTopics(Admin admin) {
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("listTopics failed", e);
        }
    }

    private void assertGatewayAddress(Node node) {
        assertThat(node.host()).isEqualTo(GatewayFixture.ADVERTISED_HOST);
        assertThat(gateway.nodePorts().contains(node.port())).as("port %d is a gateway node port %s", node.port(), gateway.nodePorts()).isTrue();
    }

    private Admin admin() {
        return Admin.create(gateway.clientProperties("admin-" + System.nanoTime()));
    }

    private void produce(String topic, List<String> values, Map<String, Object> overrides) throws Exception {
        Map<String, Object> props = gateway.clientProperties("producer-" + topic);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            List<Future<?>> sends = new ArrayList<>();
            for (String value : values) {
                sends.add(producer.send(new ProducerRecord<>(topic, value, value)));
            }
            for (Future<?> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private List<String> consumeFromStart(String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties("reader-" + topic, null))) {
            consumer.subscribe(List.of(topic));
            return Records.pollValues(consumer, expected, WAIT);
        }
    }

    private KafkaConsumer<String, String> groupConsumer(String group, GroupType protocol, String member) {
        Map<String, Object> props = consumerProperties(group + "-" + member, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.toString().toLowerCase(Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props);
    }

    private Map<String, Object> consumerProperties(String clientId, String group) {
        Map<String, Object> props = gateway.clientProperties(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group == null ? clientId + "-" + System.nanoTime() : group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return props;
    }
}
