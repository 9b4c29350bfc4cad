package dev.switchboard.failover.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Whether the target has caught up with the source, checked once, for a planned switchover that waits for it
 * and prints its progress.
 *
 * <p>Caught up means: every replicated partition has the same end offset on both clusters, every consumer group
 * that committed offsets for replicated topics on the source is {@link GroupSync#synced() synced} to the target,
 * and both clusters and MirrorMaker 2's checkpoints could be read.
 *
 * @param checkedAt        when the check began
 * @param topics           end offsets of every replicated topic, by name; empty when a cluster could not be read
 * @param sourceOnlyTopics topics on the source the target lacks; reported, not waited for, since MirrorMaker 2 may
 *                         be configured to leave them out
 * @param groups           every source group with committed offsets on replicated topics, by group id
 * @param problems         what could not be read, e.g. an unreachable cluster; any makes the check fail
 */
public record CatchUp(Instant checkedAt, List<TopicLag> topics, List<String> sourceOnlyTopics, List<GroupSync> groups,
                      List<String> problems) {

    public CatchUp {
        topics = List.copyOf(topics);
        sourceOnlyTopics = List.copyOf(sourceOnlyTopics);
        groups = List.copyOf(groups);
        problems = List.copyOf(problems);
    }

    public boolean caughtUp() {
        return problems.isEmpty() && partitionsBehind() == 0 && partitionsAhead() == 0 && unsyncedGroups().isEmpty();
    }

    /** Partitions whose target end offset is below the source's. */
    public long partitionsBehind() {
        return topics.stream().mapToLong(TopicLag::partitionsBehind).sum();
    }

    /** Records the target lacks, over the partitions that are behind. */
    public long recordsBehind() {
        return topics.stream().mapToLong(TopicLag::recordsMissingOnTarget).sum();
    }

    /**
     * Partitions whose target end offset is above the source's, which waiting does not fix: MirrorMaker 2 wrote
     * records twice, or someone wrote to the target.
     */
    public long partitionsAhead() {
        return topics.stream().mapToLong(TopicLag::partitionsAhead).sum();
    }

    /** Groups not synced yet, with their partitions for detail. */
    public List<GroupSync> unsyncedGroups() {
        return groups.stream().filter(group -> !group.synced()).toList();
    }

    /**
     * The offsets the gateway can write to target groups itself, by group; see {@link GroupSync#exactOffsetsToWrite()}.
     * Empty when the check could not read everything, since then nothing is known to be exact.
     */
    public Map<String, Map<TopicPartition, Long>> exactOffsetsToWrite() {
        Map<String, Map<TopicPartition, Long>> byGroup = new LinkedHashMap<>();
        if (problems.isEmpty()) {
            groups.forEach(group -> {
                Map<TopicPartition, Long> offsets = group.exactOffsetsToWrite();
                if (!offsets.isEmpty()) {
                    byGroup.put(group.group(), offsets);
                }
            });
        }
        return byGroup;
    }

    /** One line for a human watching a switchover wait, e.g. {@code 2 partitions behind by 6 records; groups not synced: [readers]}. */
    public String summary() {
        if (caughtUp()) {
            return "caught up: " + topics.size() + " topics, " + groups.size() + " groups";
        }
        List<String> parts = new ArrayList<>(problems);
        if (partitionsBehind() > 0) {
            parts.add(partitionsBehind() + " partitions behind by " + recordsBehind() + " records");
        }
        if (partitionsAhead() > 0) {
            parts.add(partitionsAhead() + " partitions ahead on the target");
        }
        if (!unsyncedGroups().isEmpty()) {
            parts.add("groups not synced: " + unsyncedGroups().stream().map(GroupSync::waitingFor).toList());
        }
        return String.join("; ", parts);
    }
}
