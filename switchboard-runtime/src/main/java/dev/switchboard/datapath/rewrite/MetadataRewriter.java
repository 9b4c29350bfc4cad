package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Metadata: the cluster's id, every broker's id and address, and the node ids of every partition. Each topic's id
 * is learned on the way, so requests that name topics by id can be read.
 */
public final class MetadataRewriter implements ResponseRewriter<MetadataResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public boolean rewrite(MetadataResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (MetadataResponseData.MetadataResponseBroker broker : response.brokers()) {
            changed |= NodeEndpoints.rewrite(context, broker.nodeId(), broker.host(), broker.port(), broker::setNodeId,
                    broker::setHost, broker::setPort);
        }
        changed |= NodeEndpoints.translate(context, response.controllerId(), response::setControllerId);
        if (response.clusterId() != null && !response.clusterId().equals(context.clusterId())) {
            response.setClusterId(context.clusterId());
            changed = true;
        }
        for (MetadataResponseData.MetadataResponseTopic topic : response.topics()) {
            if (topic.name() != null && topic.topicId() != null && !topic.topicId().equals(Uuid.ZERO_UUID)) {
                context.learnTopic(topic.topicId(), topic.name());
            }
            for (MetadataResponseData.MetadataResponsePartition partition : topic.partitions()) {
                changed |= NodeEndpoints.translate(context, partition.leaderId(), partition::setLeaderId);
                changed |= NodeEndpoints.translate(context, partition.replicaNodes());
                changed |= NodeEndpoints.translate(context, partition.isrNodes());
                changed |= NodeEndpoints.translate(context, partition.offlineReplicas());
            }
        }
        return changed;
    }
}
