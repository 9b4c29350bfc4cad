package dev.switchboard.failover.replication;

import java.util.OptionalLong;

import org.apache.kafka.common.TopicPartition;

/**
 * One consumer group's position in one replicated partition, on the source, in MirrorMaker 2's latest
 * checkpoint, and on the target.
 *
 * @param partition                  the partition, named alike on both clusters
 * @param sourceOffset               the group's committed offset on the source
 * @param checkpointUpstreamOffset   the source offset MirrorMaker 2's latest checkpoint for this group and partition
 *                                   translated; empty when there is no checkpoint yet
 * @param checkpointDownstreamOffset the target offset that checkpoint translated it to
 * @param targetOffset               the group's committed offset on the target; empty when it has none
 */
public record GroupPartitionSync(TopicPartition partition, long sourceOffset, OptionalLong checkpointUpstreamOffset,
                                 OptionalLong checkpointDownstreamOffset, OptionalLong targetOffset) {

    /**
     * True when the latest checkpoint translated exactly the source's committed offset and the target group
     * committed the translation: a consumer moved to the target resumes where it stopped on the source.
     */
    public boolean synced() {
        return checkpointUpstreamOffset.isPresent() && checkpointUpstreamOffset.getAsLong() == sourceOffset
                && targetOffset.isPresent() && targetOffset.equals(checkpointDownstreamOffset);
    }
}
