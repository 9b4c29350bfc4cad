package dev.switchboard.failover.replication;

/**
 * End offsets of one partition of a replicated topic on both clusters, as read at one moment (source first).
 * A partition that one cluster lacks counts there as empty, end offset 0.
 *
 * @param sourceEndOffset the source's end offset (log end offset, transaction markers included)
 * @param targetEndOffset the target's end offset
 */
public record PartitionLag(long sourceEndOffset, long targetEndOffset) {

    /**
     * Source minus target end offset. Negative when the target holds more: MirrorMaker 2 wrote a record twice,
     * or someone wrote to the target. Transaction markers on the source, which MirrorMaker 2 does not copy, and
     * replication that started after the source's log began also keep this away from zero for good.
     */
    public long recordsBehind() {
        return sourceEndOffset - targetEndOffset;
    }
}
