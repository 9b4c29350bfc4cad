package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MirrorMaker 2 flow from {@code primary} to {@code secondary} serves every test: starting it costs seconds.
 * Each test uses its own topics and groups.
 */
class EmbeddedMirrorMakerTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMirrorMakerTest.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafkaCluster primary;
    private static EmbeddedKafkaCluster secondary;
    private static EmbeddedMirrorMaker mirrorMaker;

    @BeforeAll
    static void startReplication() {
        primary = EmbeddedKafkaCluster.start("primary");
        secondary = EmbeddedKafkaCluster.start("secondary");
        // Both exist before MirrorMaker 2 starts, so its first look at the source decides on both at once.
        primary.createTopic("orders", 2, 1);
        primary.createTopic("__switchboard.leases", 1, 1);
        mirrorMaker = EmbeddedMirrorMaker.builder(primary, secondary).start();
        mirrorMaker.awaitRunning();
    }

    @AfterAll
    static void stopReplication() {
        // Replication first: it needs both clusters to stop cleanly.
        for (AutoCloseable resource : new AutoCloseable[] {mirrorMaker, secondary, primary}) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                LOG.warn("Closing resource={} failed: {}", resource, e.toString());
            }
        }
    }

    @Test
    void recordsAppearOnTheTargetUnderTheSameTopicWithoutLossOrDuplicates() throws Exception {
        List<String> sent = values("order", 200);
        produce(primary, "orders", 2, sent);
        awaitCaughtUp("orders");

        List<Line> onPrimary = readToEnd(primary, "orders", null);
        List<Line> onSecondary = readToEnd(secondary, "orders", null);
        List<String> received = onSecondary.stream().map(Line::value).toList();
        Set<String> lost = new HashSet<>(sent);
        lost.removeAll(received);
        int duplicates = received.size() - new HashSet<>(received).size();
        LOG.info("Replicated topic=orders sent={} received={} lost={} duplicates={}", sent.size(), received.size(),
                lost.size(), duplicates);
        assertThat(lost).isEmpty();
        assertThat(duplicates).isZero();
        // Same partition, same offset, same key: a consumer moved to the target finds each record where it was.
        assertThat(onSecondary).containsExactlyElementsOf(onPrimary);

        Set<String> replicated = mirrorMaker.replicatedTopics();
        assertThat(replicated).contains("orders").doesNotContain("__switchboard.leases");
        try (Admin admin = secondary.admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("__switchboard.leases");
        }
        try (Admin admin = primary.admin()) {
            // MirrorMaker 2 keeps its own topics on the target, out of sight of clients of the source.
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .allMatch(name -> replicated.contains(name) || name.startsWith("__switchboard."), "created by a test");
        }
    }

    @Test
    void consumerMovedToTheTargetResumesAfterItsGroupsCommittedOffsets() throws Exception {
        String topic = "payments";
        String group = "payments-readers";
        primary.createTopic(topic, 2, 1);
        List<String> before = values("before", 10);
        produce(primary, topic, 2, before);
        awaitCaughtUp(topic);

        assertThat(readToEnd(primary, topic, group)).extracting(Line::value).containsExactlyInAnyOrderElementsOf(before);
        Map<TopicPartition, Long> committed = committedOffsets(primary, group);
        assertThat(committed).containsOnly(Map.entry(new TopicPartition(topic, 0), 5L), Map.entry(new TopicPartition(topic, 1), 5L));
        // The group is empty now, so MirrorMaker 2 may write its translated offsets on the target.
        EmbeddedKafkaCluster.waitUntil(() -> committedOffsets(secondary, group).equals(committed),
                "group " + group + " to have offsets " + committed + " on secondary");

        List<String> after = values("after", 6);
        produce(primary, topic, 2, after);
        awaitCaughtUp(topic);
        assertThat(readToEnd(secondary, topic, group)).extracting(Line::value).containsExactlyInAnyOrderElementsOf(after);
    }

    @Test
    void topicCreatedAfterReplicationStartedIsReplicated() throws Exception {
        primary.createTopic("late-arrivals", 3, 1);
        List<String> sent = values("late", 30);
        produce(primary, "late-arrivals", 3, sent);
        awaitCaughtUp("late-arrivals");
        assertThat(mirrorMaker.endOffsets(List.of("late-arrivals")).target()).hasSize(3);
        assertThat(readToEnd(secondary, "late-arrivals", null)).containsExactlyElementsOf(readToEnd(primary, "late-arrivals", null));
    }

    @Test
    void endOffsetsAreCaughtUpOnlyWhenBothSidesMatch() throws Exception {
        // A topic MirrorMaker 2 leaves alone, written on each side by hand: every state is deterministic.
        String fenced = "__switchboard.fenced";
        TopicPartition partition = new TopicPartition(fenced, 0);
        primary.createTopic(fenced, 1, 1);
        produce(primary, fenced, 1, values("p", 3));
        EndOffsets missingOnTarget = mirrorMaker.endOffsets(List.of(fenced));
        assertThat(missingOnTarget.caughtUp()).isFalse();
        assertThat(missingOnTarget.source()).containsExactly(Map.entry(partition, 3L));
        assertThat(missingOnTarget.target()).isEmpty();
        assertThat(missingOnTarget.lag()).containsExactly(Map.entry(partition, 3L));

        secondary.createTopic(fenced, 1, 1);
        produce(secondary, fenced, 1, values("s", 2));
        assertThat(mirrorMaker.endOffsets(List.of(fenced)).lag()).containsExactly(Map.entry(partition, 1L));
        assertThat(mirrorMaker.endOffsets(List.of(fenced)).caughtUp()).isFalse();

        produce(secondary, fenced, 1, values("s", 1));
        assertThat(mirrorMaker.endOffsets(List.of(fenced)).caughtUp()).isTrue();

        // A record written twice leaves the target ahead, which is not caught up either.
        produce(secondary, fenced, 1, values("twice", 1));
        EndOffsets ahead = mirrorMaker.endOffsets(List.of(fenced));
        assertThat(ahead.caughtUp()).isFalse();
        assertThat(ahead.lag()).containsExactly(Map.entry(partition, -1L));

        // Across topics, one partition that differs is enough.
        primary.createTopic("shipments", 2, 1);
        produce(primary, "shipments", 2, values("shipment", 8));
        awaitCaughtUp("shipments");
        assertThat(readToEnd(secondary, "shipments", null)).hasSize(8);
        EndOffsets together = mirrorMaker.endOffsets(List.of("shipments", fenced));
        assertThat(together.caughtUp()).isFalse();
        assertThat(together.lag()).containsOnly(Map.entry(new TopicPartition("shipments", 0), 0L),
                Map.entry(new TopicPartition("shipments", 1), 0L), Map.entry(partition, -1L));
    }

    @Test
    void reverseFlowRunsOnceTheForwardFlowIsClosedAndCopiesEverythingBack() throws Exception {
        try (EmbeddedKafkaCluster east = EmbeddedKafkaCluster.start("east");
             EmbeddedKafkaCluster west = EmbeddedKafkaCluster.start("west")) {
            east.createTopic("accounts", 1, 1);
            produce(east, "accounts", 1, values("account", 10));
            try (EmbeddedMirrorMaker forward = EmbeddedMirrorMaker.builder(east, west).start()) {
                forward.awaitRunning();
                EmbeddedKafkaCluster.waitUntil(() -> forward.endOffsets(List.of("accounts")).caughtUp(), "accounts on west");
            }

            // Failed over: clients now write to west, and replication runs the other way.
            west.createTopic("refunds", 1, 1);
            produce(west, "refunds", 1, values("refund", 4));
            try (EmbeddedMirrorMaker reverse = EmbeddedMirrorMaker.builder(west, east).start()) {
                reverse.awaitRunning();
                assertThat(reverse.replicatedTopics()).containsExactly("accounts", "refunds");
                EmbeddedKafkaCluster.waitUntil(() -> reverse.endOffsets(List.of("refunds")).caughtUp(), "refunds on east");
                // Identity names carry no origin, so the ten accounts come back as ten more.
                EmbeddedKafkaCluster.waitUntil(() -> reverse.endOffsets(List.of("accounts")).target()
                        .equals(Map.of(new TopicPartition("accounts", 0), 20L)), "accounts copied back to east");
                List<String> twice = new ArrayList<>(values("account", 10));
                twice.addAll(values("account", 10));
                assertThat(readToEnd(east, "accounts", null)).extracting(Line::value).containsExactlyElementsOf(twice);
            }
            try (Admin admin = east.admin()) {
                // The empty 'heartbeats' topic the forward flow left on west did not come back renamed.
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("west.heartbeats");
            }
        }
    }

    @Test
    void refusesASecondFlowBetweenTheSameClusters() {
        assertThatThrownBy(() -> EmbeddedMirrorMaker.builder(secondary, primary).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already runs between secondary and primary");
        assertThatThrownBy(() -> EmbeddedMirrorMaker.builder(primary, primary))
                .hasMessageContaining("both named 'primary'");
        assertThatThrownBy(() -> EmbeddedMirrorMaker.builder(primary, secondary).interval(Duration.ofMillis(1500)))
                .hasMessageContaining("whole number of seconds");
    }

    private static void awaitCaughtUp(String topic) {
        EmbeddedKafkaCluster.waitUntil(() -> {
            EndOffsets offsets = mirrorMaker.endOffsets(List.of(topic));
            return !offsets.source().isEmpty() && offsets.caughtUp();
        }, topic + " to be replicated to secondary");
    }

    private static List<String> values(String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(prefix + "-" + i);
        }
        return values;
    }

    /** Sends round-robin over the partitions, so every partition gets records. */
    private static void produce(EmbeddedKafkaCluster cluster, String topic, int partitions, List<String> values) throws Exception {
        Map<String, Object> props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, values.get(i), values.get(i)));
            }
            producer.flush();
        }
    }

    private record Line(int partition, long offset, String key, String value) {
    }

    /**
     * Every record up to the end offsets as they were when reading began: from the beginning, or with
     * {@code group} from its committed offsets (committing where it stopped). Reading to the end offsets, not
     * for a while, is what lets a test say a record was not read.
     */
    private static List<Line> readToEnd(EmbeddedKafkaCluster cluster, String topic, String group) {
        Map<String, Object> props = cluster.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        List<Line> lines = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            }
            Map<TopicPartition, Long> ends = null;
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (true) {
                // Asked once the partitions are ours: the consumer warns about answers for partitions it lacks.
                if (ends == null && consumer.assignment().containsAll(partitions)) {
                    ends = consumer.endOffsets(partitions);
                }
                Map<TopicPartition, Long> end = ends;
                if (end != null && partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read only " + lines + " of " + topic + " on " + cluster.name()
                            + " in " + READ_TIMEOUT + ", end offsets " + ends);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    lines.add(new Line(record.partition(), record.offset(), record.key(), record.value()));
                }
            }
            if (group != null) {
                consumer.commitSync();
            }
        }
        lines.sort(Comparator.comparingInt(Line::partition).thenComparingLong(Line::offset));
        return lines;
    }

    private static Map<TopicPartition, Long> committedOffsets(EmbeddedKafkaCluster cluster, String group) throws Exception {
        try (Admin admin = cluster.admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }
}
