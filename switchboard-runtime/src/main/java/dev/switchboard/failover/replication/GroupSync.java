package dev.switchboard.failover.replication;

import java.util.List;

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
        return partitions.stream().filter(p -> hasMembers ? !p.drainedAndExact() : !p.synced()).toList();
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
        long notTranslated = unsynced.stream().filter(p -> !p.synced()).count();
        if (notTranslated > 0) {
            return group + ": " + notTranslated + " partitions' offsets not yet checkpointed and synced by MirrorMaker 2";
        }
        return group + ": " + unsynced.size() + " partitions translated short of the end (MirrorMaker 2's offset sync for"
                + " the last records not written yet)";
    }
}
