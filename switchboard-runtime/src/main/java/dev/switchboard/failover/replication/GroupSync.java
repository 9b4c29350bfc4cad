package dev.switchboard.failover.replication;

import java.util.List;

/**
 * Whether a consumer group's committed offsets on the replicated topics have reached the target.
 *
 * @param group      the group id, alike on both clusters
 * @param partitions every replicated partition the group committed an offset for on the source
 */
public record GroupSync(String group, List<GroupPartitionSync> partitions) {

    public GroupSync {
        partitions = List.copyOf(partitions);
    }

    /** True when every partition is {@link GroupPartitionSync#synced() synced}. */
    public boolean synced() {
        return partitions.stream().allMatch(GroupPartitionSync::synced);
    }

    /** The partitions that are not synced yet. */
    public List<GroupPartitionSync> unsyncedPartitions() {
        return partitions.stream().filter(p -> !p.synced()).toList();
    }
}
