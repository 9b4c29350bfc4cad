package dev.switchboard.failover.replication;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the target's copy of one replicated topic is behind the source.
 *
 * @param topic      the topic, named alike on both clusters
 * @param partitions end offsets of every partition either cluster has, by partition number
 */
public record TopicLag(String topic, Map<Integer, PartitionLag> partitions) {

    public TopicLag {
        partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    }

    /** The sum of {@link PartitionLag#recordsBehind()} over the partitions: raw, so partitions ahead subtract. */
    public long recordsBehind() {
        return partitions.values().stream().mapToLong(PartitionLag::recordsBehind).sum();
    }

    /** Partitions whose source end offset is above the target's. */
    public long partitionsBehind() {
        return partitions.values().stream().filter(p -> p.recordsBehind() > 0).count();
    }

    /** Records the target lacks, summed over the partitions that are behind only. */
    public long recordsMissingOnTarget() {
        return partitions.values().stream().mapToLong(p -> Math.max(0, p.recordsBehind())).sum();
    }

    /** Partitions whose target end offset is above the source's; waiting does not fix them. */
    public long partitionsAhead() {
        return partitions.values().stream().filter(p -> p.recordsBehind() < 0).count();
    }
}
