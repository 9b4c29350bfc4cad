package dev.switchboard.failover.replication;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Whether a consumer group's committed offsets on the replicated topics have reached the target.
 *
 * <p>A group without members on the source is synced once MirrorMaker 2 carried its committed offsets over. A
 * group with members is still reading: while produce requests are held it reaches the end of every partition,
 * and it is synced only once it committed that end and the target has the exact translation. Otherwise its
 * consumers would commit more on the source after the check, or resume short of where they stopped, and read
 * records twice.
 *
 * @param group      the group id, alike on both clusters
 * @param hasMembers whether the group had members on the source when checked
 * @param partitions every replicated partition the group committed an offset for on the source
 */
public record GroupSync(String group, boolean hasMembers, List<GroupPartitionSync> partitions) {

    public GroupSync {
        partitions = List.copyOf(partitions);
    }

    public boolean synced() {
        return unsyncedPartitions().isEmpty();
    }

    /** The partitions that are not synced yet. */
    public List<GroupPartitionSync> unsyncedPartitions() {
        return partitions.stream().filter(p -> hasMembers ? !p.drainedAndExact() : !p.synced() && !p.drainedAndExact()).toList();
    }

    /**
     * The offsets the gateway can write to the target group itself, since they are exact: the target's end, for
     * every partition drained on both clusters whose target offset falls short of it. Empty when there is none.
     */
    public Map<TopicPartition, Long> exactOffsetsToWrite() {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        partitions.forEach(p -> p.exactOffsetToWrite().ifPresent(offset -> offsets.put(p.partition(), offset)));
        return offsets;
    }

    /** The target offsets known to be exact now: those of every partition drained on both clusters. */
    public Map<TopicPartition, Long> exactOffsets() {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        partitions.stream().filter(GroupPartitionSync::drainedAndExact).forEach(p -> offsets.put(p.partition(), p.targetEndOffset()));
        return offsets;
    }

    /** What the group waits for, e.g. {@code readers: 12 records not committed on the source}; null when synced. */
    public String waitingFor() {
        List<GroupPartitionSync> unsynced = unsyncedPartitions();
        if (unsynced.isEmpty()) {
            return null;
        }
        long uncommitted = hasMembers ? unsynced.stream().mapToLong(GroupPartitionSync::uncommittedOnSource).sum() : 0;
        if (uncommitted > 0) {
            return group + ": " + uncommitted + " records not committed on the source";
        }
        long notTranslated = unsynced.stream().filter(p -> !p.synced() && !p.drainedOnBoth()).count();
        if (notTranslated > 0) {
            return group + ": " + notTranslated + " partitions' offsets not yet checkpointed and synced by MirrorMaker 2";
        }
        long toWrite = unsynced.stream().filter(p -> p.exactOffsetToWrite().isPresent()).count();
        if (toWrite > 0) {
            return group + ": " + toWrite + " partitions' exact offsets not yet written to the target";
        }
        return group + ": " + unsynced.size() + " partitions whose records the target does not all hold yet";
    }
}
