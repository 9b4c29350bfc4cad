package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata: the cluster's id, every broker's id and address, and the node ids of every partition. Topics pinned
 * to another cluster than the one answering are refused as unauthorized.
 */
public final class MetadataRewriter implements ResponseRewriter<MetadataResponseData> {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataRewriter.class);

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
            if (topic.name() != null && topic.topicId() != null && !topic.topicId().equals(org.apache.kafka.common.Uuid.ZERO_UUID)) {
                context.learnTopic(topic.topicId(), topic.name());
            }
            String pinnedTo = topic.name() == null ? null : context.pinnedElsewhere(topic.name());
            if (pinnedTo != null) {
                // Data residency: the topic must not be served by this cluster, so it looks unauthorized.
                topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).partitions().clear();
                LOG.warn("Topic {} hidden from metadata: it is pinned to cluster {}", topic.name(), pinnedTo);
                changed = true;
                continue;
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
