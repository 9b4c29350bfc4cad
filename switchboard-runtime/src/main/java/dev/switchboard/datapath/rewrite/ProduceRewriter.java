package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** Produce: the new leaders' ids and addresses that KIP-951 sends along with NOT_LEADER_OR_FOLLOWER. */
public final class ProduceRewriter implements ResponseRewriter<ProduceResponseData> {

    private static final short FIRST_VERSION_WITH_ENDPOINTS = 10;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public boolean appliesTo(short version) {
        return version >= FIRST_VERSION_WITH_ENDPOINTS;
    }

    @Override
    public boolean rewrite(ProduceResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (ProduceResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setNodeId, node::setHost, node::setPort);
        }
        for (ProduceResponseData.TopicProduceResponse topic : response.responses()) {
            for (ProduceResponseData.PartitionProduceResponse partition : topic.partitionResponses()) {
                changed |= NodeEndpoints.translate(context, partition.currentLeader().leaderId(), partition.currentLeader()::setLeaderId);
            }
        }
        return changed;
    }
}
