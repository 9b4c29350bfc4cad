package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Fetch, decoded whole: the leader ids sent with NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH, the preferred
 * read replica, and the KIP-951 endpoints.
 *
 * <p>Fetch responses normally stream through undecoded ({@link FetchTailRewriter} handles the endpoints). Only
 * behind a cluster whose node ids differ from the virtual ones must the ids inside the partitions change, and
 * then only responses small enough to hold are gathered for it; see the connection's receive mode. A response an
 * interceptor has decoded anyway is rewritten here too, since it never passes the tail rewrite.
 */
public final class FetchRewriter implements ResponseRewriter<FetchResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /** Never chosen by version alone: the connection asks for it where ids must be translated. */
    @Override
    public boolean appliesTo(short version) {
        return false;
    }

    @Override
    public boolean rewrite(FetchResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (FetchResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setNodeId, node::setHost, node::setPort);
        }
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                changed |= NodeEndpoints.translate(context, partition.currentLeader().leaderId(), partition.currentLeader()::setLeaderId);
                changed |= NodeEndpoints.translate(context, partition.preferredReadReplica(), partition::setPreferredReadReplica);
            }
        }
        return changed;
    }
}
