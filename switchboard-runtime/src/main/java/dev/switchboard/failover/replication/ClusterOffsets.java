package dev.switchboard.failover.replication;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.failover.ClusterClientProperties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topics, end offsets and committed group offsets of one cluster, through one long-lived Admin client. Every
 * read waits at most the timeout, then throws {@link ClusterUnreadableException}.
 */
final class ClusterOffsets implements AutoCloseable {

    private final String cluster;
    private final Duration timeout;
    private final Admin admin;

    ClusterOffsets(ClusterConfig cluster, Duration timeout) {
        this.cluster = cluster.name();
        this.timeout = timeout;
        this.admin = Admin.create(ClusterClientProperties.of(cluster, "switchboard-replication-monitor", timeout));
    }

    String cluster() {
        return cluster;
    }

    /** Topic names, Kafka's internal ones left out. */
    Set<String> topicNames() {
        return await(admin.listTopics().names(), "list topics");
    }

    /** End offsets of every partition of {@code topics}; a topic deleted meanwhile is left out. */
    Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
            TopicDescription description;
            try {
                description = await(topic.getValue(), "describe topic " + topic.getKey());
            } catch (ClusterUnreadableException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    continue;
                }
                throw e;
            }
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic.getKey(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResultInfo> offsets = await(admin.listOffsets(latest).all(), "list end offsets");
        return offsets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /**
     * The consumer groups, classic and KIP-848 alike, including those that only commit offsets, each with whether
     * it has members now. A group whose state the broker does not report counts as having members.
     */
    Map<String, Boolean> consumerGroups() {
        Collection<GroupListing> groups = await(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all(), "list consumer groups");
        return groups.stream().collect(Collectors.toMap(GroupListing::groupId,
                group -> group.groupState().map(state -> state != GroupState.EMPTY && state != GroupState.DEAD).orElse(true)));
    }

    /**
     * The partitions assigned to the members of each group now; a group whose members have none maps to an
     * empty set. Members of a group that never committed still read: only their assignment shows where.
     */
    Map<String, Set<TopicPartition>> assignedPartitions(Collection<String> groups) {
        if (groups.isEmpty()) {
            return Map.of();
        }
        Map<String, ConsumerGroupDescription> descriptions = await(admin.describeConsumerGroups(groups).all(),
                "describe " + groups.size() + " consumer groups");
        Map<String, Set<TopicPartition>> assigned = new HashMap<>();
        descriptions.forEach((group, description) -> {
            Set<TopicPartition> partitions = new HashSet<>();
            description.members().forEach(member -> partitions.addAll(member.assignment().topicPartitions()));
            assigned.put(group, partitions);
        });
        return assigned;
    }

    /** Each group's committed offsets; a group without any maps to an empty map. */
    Map<String, Map<TopicPartition, Long>> committedOffsets(Collection<String> groups) {
        if (groups.isEmpty()) {
            return Map.of();
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> all = await(admin.listConsumerGroupOffsets(specs).all(),
                "list committed offsets of " + groups.size() + " groups");
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        all.forEach((group, offsets) -> {
            Map<TopicPartition, Long> byPartition = new HashMap<>();
            // A partition listed without an offset has none committed.
            offsets.forEach((partition, offset) -> {
                if (offset != null && offset.offset() >= 0) {
                    byPartition.put(partition, offset.offset());
                }
            });
            committed.put(group, byPartition);
        });
        return committed;
    }

    /**
     * Commits {@code offsets} for {@code group}, as an admin does. The cluster refuses it while the group has
     * members, since they own their offsets then.
     */
    void commitOffsets(String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
        await(admin.alterConsumerGroupOffsets(group, commit).all(), "commit " + offsets.size() + " offsets of group " + group);
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnreadableException("interrupted while trying to " + what + " on " + cluster, e);
        } catch (ExecutionException e) {
            throw new ClusterUnreadableException("could not " + what + " on " + cluster + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ClusterUnreadableException("could not " + what + " on " + cluster + " within " + timeout, e);
        }
    }

    @Override
    public void close() {
        admin.close(timeout);
    }
}
