package dev.switchboard.failover.replication;

import java.util.OptionalLong;

import org.apache.kafka.common.TopicPartition;

/**
 * One consumer group's position in one replicated partition, on the source, in MirrorMaker 2's latest
 * checkpoint, and on the target, beside the partition's end offsets on both clusters.
 *
 * @param partition                  the partition, named alike on both clusters
 * @param sourceOffset               the group's committed offset on the source
 * @param sourceEndOffset            the partition's end offset on the source
 * @param checkpointUpstreamOffset   the source offset MirrorMaker 2's latest checkpoint for this group and partition
 *                                   translated; empty when there is no checkpoint yet
 * @param checkpointDownstreamOffset the target offset that checkpoint translated it to
 * @param targetOffset               the group's committed offset on the target; empty when it has none
 * @param targetEndOffset            the partition's end offset on the target
 */
public record GroupPartitionSync(TopicPartition partition, long sourceOffset, long sourceEndOffset,
                                 OptionalLong checkpointUpstreamOffset, OptionalLong checkpointDownstreamOffset,
                                 OptionalLong targetOffset, long targetEndOffset) {

    /**
     * True when the latest checkpoint translated exactly the source's committed offset and the target group
     * committed the translation. A partition that never held a record needs no translation, and gets none:
     * MirrorMaker 2 has no offset sync to translate with, so it emits no checkpoint.
     */
    public boolean synced() {
        if (sourceOffset == 0 && sourceEndOffset == 0) {
            return targetOffset.orElse(0) == 0;
        }
        return checkpointUpstreamOffset.isPresent() && checkpointUpstreamOffset.getAsLong() == sourceOffset
                && targetOffset.isPresent() && targetOffset.equals(checkpointDownstreamOffset);
    }

    /** Records on the source the group has not committed yet: it has read them, or is about to. */
    public long uncommittedOnSource() {
        return Math.max(0, sourceEndOffset - sourceOffset);
    }

    /**
     * True when the group committed everything on the source and the target holds every record the source does:
     * the exact offset on the target is then known without MirrorMaker 2, the target's end, and a consumer moved
     * there reads no record again and skips none.
     */
    public boolean drainedOnBoth() {
        return sourceOffset >= sourceEndOffset && sourceEndOffset == targetEndOffset;
    }

    /**
     * True when the group is {@link #drainedOnBoth() drained on both clusters} and the target group's offset is the
     * target's end, written there by MirrorMaker 2 or by the gateway ({@link #exactOffsetToWrite()}).
     */
    public boolean drainedAndExact() {
        return drainedOnBoth() && targetOffset.orElse(0) == targetEndOffset;
    }

    /**
     * The target's end, when the group is drained on both clusters but its offset on the target is not that yet.
     * MirrorMaker 2 would get there only once it wrote the offset sync of the last record (at its worker's next
     * offset flush), checkpointed it and synced the group: up to three of its intervals.
     */
    public OptionalLong exactOffsetToWrite() {
        return drainedOnBoth() && !drainedAndExact() ? OptionalLong.of(targetEndOffset) : OptionalLong.empty();
    }
}
