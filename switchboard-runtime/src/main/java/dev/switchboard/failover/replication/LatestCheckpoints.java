package dev.switchboard.failover.replication;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.failover.ClusterClientProperties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.types.SchemaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MirrorMaker 2's latest checkpoint for every group and partition, read from its checkpoints topic on the
 * target ({@code <sourceAlias>.checkpoints.internal}, one partition).
 *
 * <p>One consumer, without a group, follows the topic for the monitor's lifetime, so each read fetches only the
 * checkpoints written since the last. {@code MirrorClient.remoteConsumerOffsets} would read the whole topic with
 * a new consumer per group and call, and gives only the downstream offset, while telling whether a group is
 * synced needs the upstream offset too.
 */
final class LatestCheckpoints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LatestCheckpoints.class);

    private final String cluster;
    private final TopicPartition partition;
    private final Duration timeout;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Map<TopicPartition, Checkpoint>> latest = new HashMap<>();
    private boolean assigned;

    LatestCheckpoints(ClusterConfig target, String sourceAlias, Duration timeout) {
        this.cluster = target.name();
        this.partition = new TopicPartition(new IdentityReplicationPolicy().checkpointsTopic(sourceAlias), 0);
        this.timeout = timeout;
        Map<String, Object> props = ClusterClientProperties.of(target, "switchboard-replication-monitor-checkpoints", timeout);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Compaction or retention may remove what this consumer has not read; the rest is still there.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    String topic() {
        return partition.topic();
    }

    /**
     * Reads the checkpoints written since the last call and returns the latest for each group and partition; empty
     * while MirrorMaker 2 has not created the topic. Throws {@link ClusterUnreadableException} when the target
     * does not answer within the timeout.
     */
    synchronized Map<String, Map<TopicPartition, Checkpoint>> read() {
        try {
            if (!assigned) {
                if (consumer.partitionsFor(partition.topic(), timeout).isEmpty()) {
                    return Map.of();
                }
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                assigned = true;
            }
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            if (consumer.position(partition, timeout) > end) {
                // The topic was deleted and created again: what was read belongs to the old one.
                LOG.info("Checkpoints topic={} on cluster={} starts over; reading it again", partition.topic(), cluster);
                latest.clear();
                consumer.seekToBeginning(List.of(partition));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterUnreadableException("could not read " + partition.topic() + " on " + cluster
                            + " to offset " + end + " within " + timeout, null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    remember(record);
                }
            }
        } catch (KafkaException e) {
            throw new ClusterUnreadableException("could not read " + partition.topic() + " on " + cluster + ": " + e, e);
        }
        Map<String, Map<TopicPartition, Checkpoint>> copy = new HashMap<>();
        latest.forEach((group, checkpoints) -> copy.put(group, Map.copyOf(checkpoints)));
        return copy;
    }

    private void remember(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            Checkpoint checkpoint = Checkpoint.deserializeRecord(record);
            latest.computeIfAbsent(checkpoint.consumerGroupId(), group -> new HashMap<>())
                    .put(checkpoint.topicPartition(), checkpoint);
        } catch (SchemaException e) {
            // MirrorClient skips such records too: a newer MirrorMaker 2 may write a version this one cannot read.
            LOG.debug("Skipping unreadable checkpoint topic={} offset={}: {}", partition.topic(), record.offset(), e.toString());
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(CloseOptions.timeout(timeout));
    }
}
