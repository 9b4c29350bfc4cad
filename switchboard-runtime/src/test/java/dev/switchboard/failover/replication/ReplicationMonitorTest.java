package dev.switchboard.failover.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.support.Await;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The monitor against two real clusters and the real MirrorMaker 2, which each test starts and stops itself to
 * hold replication still while it looks. Each test uses its own topics and groups.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationMonitorTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private EmbeddedKafkaCluster source;
    private EmbeddedKafkaCluster target;

    @BeforeAll
    void startClusters() {
        source = EmbeddedKafkaCluster.start("replication-source");
        target = EmbeddedKafkaCluster.start("replication-target");
    }

    @AfterAll
    void stopClusters() {
        target.close();
        source.close();
    }

    @Test
    void lagCountsRecordsNotCopiedYetAndOutlivesTheSource() {
        String topic = "lag-orders";
        source.createTopic(topic, 2, 1);
        // As MirrorMaker 2 would have created it, with nothing copied yet.
        target.createTopic(topic, 2, 1);
        try (ReplicationMonitor monitor = monitor()) {
            monitor.start();
            produce(topic, 2, 10);
            Await.until(() -> recordsBehind(monitor, topic) == 10, WAIT, "10 records behind on " + topic);
            assertThat(lag(monitor, topic).partitions()).containsOnly(entry(0, new PartitionLag(5, 0)), entry(1, new PartitionLag(5, 0)));

            try (EmbeddedMirrorMaker mirrorMaker = EmbeddedMirrorMaker.builder(source, target).start()) {
                mirrorMaker.awaitRunning();
                Await.until(() -> recordsBehind(monitor, topic) == 0, WAIT, topic + " copied");
            }
            assertThat(lag(monitor, topic).partitions()).containsOnly(entry(0, new PartitionLag(5, 5)), entry(1, new PartitionLag(5, 5)));
            LagSample beforeTheSourceDied = monitor.lastSample().orElseThrow();
            assertThat(beforeTheSourceDied.current()).isTrue();
            assertThat(beforeTheSourceDied.sampledAt()).isEqualTo(beforeTheSourceDied.checkedAt());

            source.stopBroker(0);
            try {
                Await.until(() -> !monitor.lastSample().orElseThrow().sourceReachable(), WAIT, "the source seen unreachable");
                LagSample afterTheSourceDied = monitor.lastSample().orElseThrow();
                assertThat(afterTheSourceDied.targetReachable()).isTrue();
                assertThat(afterTheSourceDied.current()).isFalse();
                assertThat(afterTheSourceDied.sampledAt()).isAfterOrEqualTo(beforeTheSourceDied.sampledAt())
                        .isBefore(afterTheSourceDied.checkedAt());
                assertThat(lag(monitor, topic).partitions()).as("the last values read from both clusters")
                        .containsOnly(entry(0, new PartitionLag(5, 5)), entry(1, new PartitionLag(5, 5)));

                // The sampler goes on trying, and keeps the values and their time.
                Await.until(() -> monitor.lastSample().orElseThrow().checkedAt().isAfter(afterTheSourceDied.checkedAt()),
                        WAIT, "another attempt while the source is down");
                LagSample later = monitor.lastSample().orElseThrow();
                assertThat(later.sourceReachable()).isFalse();
                assertThat(later.sampledAt()).isEqualTo(afterTheSourceDied.sampledAt());
                assertThat(later.topics()).isEqualTo(afterTheSourceDied.topics());
            } finally {
                source.startBroker(0);
            }
            Await.until(() -> monitor.lastSample().orElseThrow().current(), WAIT, "sampling again once the source is back");
        }
    }

    @Test
    void catchUpWaitsForEqualEndOffsetsAndForEveryGroupToBeSynced() {
        String topic = "catch-up-payments";
        String group = "catch-up-readers";
        TopicPartition first = new TopicPartition(topic, 0);
        TopicPartition second = new TopicPartition(topic, 1);
        source.createTopic(topic, 2, 1);
        produce(topic, 2, 10);
        consumeToEndAndCommit(topic, group);
        try (ReplicationMonitor monitor = monitor()) {
            try (EmbeddedMirrorMaker mirrorMaker = EmbeddedMirrorMaker.builder(source, target).start()) {
                mirrorMaker.awaitRunning();
                // Until MirrorMaker 2 created the topic on the target, nothing is replicated and all is "caught up".
                Await.until(() -> caughtUpWith(monitor.checkCatchUp(), group), WAIT, "caught up");
            }
            CatchUp caughtUp = monitor.checkCatchUp();
            assertThat(caughtUp.caughtUp()).as(caughtUp.summary()).isTrue();
            assertThat(caughtUp.summary()).startsWith("caught up");
            assertThat(groupSync(caughtUp, group).hasMembers()).isFalse();
            assertThat(groupSync(caughtUp, group).partitions()).containsExactly(synced(first, 5), synced(second, 5));

            // Replication stopped: the source moves on alone.
            produce(topic, 2, 6);
            CatchUp behind = monitor.checkCatchUp();
            assertThat(behind.caughtUp()).isFalse();
            assertThat(behind.partitionsBehind()).isEqualTo(2);
            assertThat(behind.recordsBehind()).isEqualTo(6);
            assertThat(behind.partitionsAhead()).isZero();
            assertThat(topicLag(behind, topic).partitions()).containsOnly(entry(0, new PartitionLag(8, 5)), entry(1, new PartitionLag(8, 5)));
            assertThat(behind.unsyncedGroups()).as("the group has not moved").isEmpty();
            assertThat(behind.problems()).isEmpty();

            consumeToEndAndCommit(topic, group);
            CatchUp groupAhead = monitor.checkCatchUp();
            assertThat(groupAhead.unsyncedGroups()).extracting(GroupSync::group).containsExactly(group);
            assertThat(groupSync(groupAhead, group).unsyncedPartitions()).containsExactly(
                    new GroupPartitionSync(first, 8, 8, OptionalLong.of(5), OptionalLong.of(5), OptionalLong.of(5), 5),
                    new GroupPartitionSync(second, 8, 8, OptionalLong.of(5), OptionalLong.of(5), OptionalLong.of(5), 5));
            assertThat(groupAhead.summary()).isEqualTo("2 partitions behind by 6 records; groups not synced: [" + group
                    + ": 2 partitions' offsets not yet checkpointed and synced by MirrorMaker 2]");

            try (EmbeddedMirrorMaker mirrorMaker = EmbeddedMirrorMaker.builder(source, target).start()) {
                mirrorMaker.awaitRunning();
                Await.until(() -> monitor.checkCatchUp().caughtUp(), WAIT, "caught up again");
            }
            assertThat(groupSync(monitor.checkCatchUp(), group).partitions()).containsExactly(synced(first, 8), synced(second, 8));
        }
    }

    /**
     * A group with members still reads while produce requests are held: it counts as synced only once it committed
     * the end of every partition and the target group has exactly the target's end, else its consumers would read
     * records again after the switch.
     */
    @Test
    void groupWithMembersIsSyncedOnlyOnceItCommittedTheEndAndTheTargetHasItsExactTranslation() {
        String topic = "catch-up-live";
        String group = "catch-up-live-readers";
        TopicPartition partition = new TopicPartition(topic, 0);
        source.createTopic(topic, 1, 1);
        produce(topic, 1, 10);
        try (ReplicationMonitor monitor = monitor();
             EmbeddedMirrorMaker mirrorMaker = EmbeddedMirrorMaker.builder(source, target).start();
             KafkaConsumer<String, String> member = member(group)) {
            mirrorMaker.awaitRunning();
            member.subscribe(List.of(topic));
            Await.until(() -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
            }, WAIT, group + " to get its partition");
            member.commitSync(Map.of(partition, new OffsetAndMetadata(4)));

            // The group shows once MirrorMaker 2 created the topic on the target, which makes it a replicated one.
            Await.until(() -> monitor.checkCatchUp().groups().stream().anyMatch(sync -> sync.group().equals(group)
                    && sync.partitions().get(0).synced()), WAIT, "offset 4 checkpointed and synced to the target");
            CatchUp reading = monitor.checkCatchUp();
            GroupSync stillReading = groupSync(reading, group);
            assertThat(stillReading.hasMembers()).isTrue();
            assertThat(reading.partitionsBehind()).as("the records are all copied").isZero();
            assertThat(reading.caughtUp()).as("a member has 6 records left to commit").isFalse();
            assertThat(stillReading.waitingFor()).isEqualTo(group + ": 6 records not committed on the source");

            member.commitSync(Map.of(partition, new OffsetAndMetadata(10)));
            Await.until(() -> monitor.checkCatchUp().caughtUp(), WAIT, "the end committed, checkpointed and synced exactly");
            GroupPartitionSync drained = groupSync(monitor.checkCatchUp(), group).partitions().get(0);
            assertThat(drained.drainedAndExact()).isTrue();
            assertThat(drained.targetOffset()).hasValue(10);
        }
    }

    @Test
    void groupsWithOffsetsOnlyOnTopicsNotReplicatedAreIgnored() {
        String topic = "only-on-source";
        source.createTopic(topic, 1, 1);
        produce(topic, 1, 3);
        consumeToEndAndCommit(topic, "only-on-source-readers");
        try (ReplicationMonitor monitor = monitor()) {
            CatchUp check = monitor.checkCatchUp();
            assertThat(check.sourceOnlyTopics()).contains(topic);
            assertThat(check.topics()).extracting(TopicLag::topic).doesNotContain(topic);
            assertThat(check.groups()).extracting(GroupSync::group).doesNotContain("only-on-source-readers");
        }
    }

    private ReplicationMonitor monitor() {
        // A 2 s wait for a dead cluster keeps the test short; production waits 5 s.
        return new ReplicationMonitor(config(source), config(target), source.name(), Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    private static ClusterConfig config(EmbeddedKafkaCluster cluster) {
        return new ClusterConfig(cluster.name(), cluster.bootstrapServers(), cluster.clientSecurityProperties());
    }

    private static GroupPartitionSync synced(TopicPartition partition, long offset) {
        return new GroupPartitionSync(partition, offset, offset, OptionalLong.of(offset), OptionalLong.of(offset),
                OptionalLong.of(offset), offset);
    }

    private static boolean caughtUpWith(CatchUp check, String group) {
        return check.caughtUp() && check.groups().stream().anyMatch(sync -> sync.group().equals(group));
    }

    private static long recordsBehind(ReplicationMonitor monitor, String topic) {
        return monitor.lastSample().flatMap(sample -> find(sample.topics(), topic)).map(TopicLag::recordsBehind).orElse(Long.MIN_VALUE);
    }

    private static TopicLag lag(ReplicationMonitor monitor, String topic) {
        return find(monitor.lastSample().orElseThrow().topics(), topic).orElseThrow();
    }

    private static TopicLag topicLag(CatchUp check, String topic) {
        return find(check.topics(), topic).orElseThrow();
    }

    private static Optional<TopicLag> find(List<TopicLag> topics, String topic) {
        return topics.stream().filter(lag -> lag.topic().equals(topic)).findFirst();
    }

    private static GroupSync groupSync(CatchUp check, String group) {
        return check.groups().stream().filter(sync -> sync.group().equals(group)).findFirst().orElseThrow();
    }

    /** Sends {@code count} records round-robin over the partitions, so each gets its share. */
    private void produce(String topic, int partitions, int count) {
        Map<String, Object> props = source.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "key-" + i, "value-" + i));
            }
            producer.flush();
        }
    }

    private KafkaConsumer<String, String> member(String group) {
        Map<String, Object> props = source.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Reads {@code topic} on the source as {@code group} up to its end offsets now, and commits there. */
    private void consumeToEndAndCommit(String topic, String group) {
        Map<String, Object> props = source.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Await.until(() -> {
                consumer.poll(Duration.ofMillis(100));
                Set<TopicPartition> assigned = consumer.assignment();
                return assigned.containsAll(partitions) && partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            }, WAIT, group + " to read " + topic + " to " + ends);
            consumer.commitSync();
        }
    }
}
