package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ShareAcknowledge (KIP-932): new leaders' ids and addresses, as in Fetch. */
public final class ShareAcknowledgeRewriter implements ResponseRewriter<ShareAcknowledgeResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
    }

    @Override
    public boolean rewrite(ShareAcknowledgeResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (ShareAcknowledgeResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setNodeId, node::setHost, node::setPort);
        }
        for (ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse topic : response.responses()) {
            for (ShareAcknowledgeResponseData.PartitionData partition : topic.partitions()) {
                changed |= NodeEndpoints.translate(context, partition.currentLeader().leaderId(), partition.currentLeader()::setLeaderId);
            }
        }
        return changed;
    }
}
