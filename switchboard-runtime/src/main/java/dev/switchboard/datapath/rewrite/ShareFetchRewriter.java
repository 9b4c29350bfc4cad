package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ShareFetch (KIP-932): new leaders' ids and addresses, as in Fetch. */
public final class ShareFetchRewriter implements ResponseRewriter<ShareFetchResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public boolean rewrite(ShareFetchResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (ShareFetchResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setNodeId, node::setHost, node::setPort);
        }
        for (ShareFetchResponseData.ShareFetchableTopicResponse topic : response.responses()) {
            for (ShareFetchResponseData.PartitionData partition : topic.partitions()) {
                changed |= NodeEndpoints.translate(context, partition.currentLeader().leaderId(), partition.currentLeader()::setLeaderId);
            }
        }
        return changed;
    }
}
