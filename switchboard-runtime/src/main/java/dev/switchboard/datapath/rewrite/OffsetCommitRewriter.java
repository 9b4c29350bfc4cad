package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit: a group member's commit to a group the cluster does not know is answered GROUP_ID_NOT_FOUND,
 * which the Java consumer treats as fatal (Kafka Streams shuts down). That happens after a switch, when a group
 * had no offsets replicated to the new cluster yet. UNKNOWN_MEMBER_ID says the same to the member, and makes it
 * rejoin, which is what it must do on the new cluster anyway.
 */
public final class OffsetCommitRewriter implements ResponseRewriter<OffsetCommitResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public boolean rewrite(OffsetCommitResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (OffsetCommitResponseData.OffsetCommitResponseTopic topic : response.topics()) {
            for (OffsetCommitResponseData.OffsetCommitResponsePartition partition : topic.partitions()) {
                if (partition.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
                    partition.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                    changed = true;
                }
            }
        }
        return changed;
    }
}
