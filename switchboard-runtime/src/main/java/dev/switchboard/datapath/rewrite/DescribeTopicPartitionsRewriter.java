package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** DescribeTopicPartitions (KIP-966), which Admin uses to describe topics: the node ids of every partition. */
public final class DescribeTopicPartitionsRewriter implements ResponseRewriter<DescribeTopicPartitionsResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public boolean rewrite(DescribeTopicPartitionsResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic topic : response.topics()) {
            for (DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition partition : topic.partitions()) {
                changed |= NodeEndpoints.translate(context, partition.leaderId(), partition::setLeaderId);
                changed |= NodeEndpoints.translate(context, partition.replicaNodes());
                changed |= NodeEndpoints.translate(context, partition.isrNodes());
                changed |= NodeEndpoints.translate(context, partition.eligibleLeaderReplicas());
                changed |= NodeEndpoints.translate(context, partition.lastKnownElr());
                changed |= NodeEndpoints.translate(context, partition.offlineReplicas());
            }
        }
        return changed;
    }
}
