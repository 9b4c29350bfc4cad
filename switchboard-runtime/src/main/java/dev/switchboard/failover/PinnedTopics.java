package dev.switchboard.failover;

import java.util.Map;
import java.util.Optional;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data residency: topics pinned to one cluster are not served by another. While another cluster is active they are
 * hidden from metadata as unauthorized, and produce requests to them are refused: the pinned partitions get
 * TOPIC_AUTHORIZATION_FAILED, the others in the same request NOT_LEADER_OR_FOLLOWER so the client retries them alone.
 * A produce with {@code acks=0} is never refused. With no pinned topic, this interceptor is interested in nothing.
 */
public final class PinnedTopics implements InterceptorFactory, Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(PinnedTopics.class);
    private static final Interest PRODUCE_AND_METADATA = Interest.requests(ApiKeys.PRODUCE).andResponses(ApiKeys.METADATA);

    private final Map<String, String> pinnedTo;
    private final Interest interest;

    /** @param pinnedTo topic name to the cluster it is pinned to */
    public PinnedTopics(Map<String, String> pinnedTo) {
        this.pinnedTo = Map.copyOf(pinnedTo);
        this.interest = pinnedTo.isEmpty() ? Interest.NONE : PRODUCE_AND_METADATA;
    }

    @Override
    public String name() {
        return "pinned-topics";
    }

    /** The cluster a topic is pinned to, when that is not {@code activeCluster}. */
    Optional<String> pinnedElsewhere(String topic, String activeCluster) {
        String cluster = topic == null ? null : pinnedTo.get(topic);
        return cluster == null || cluster.equals(activeCluster) ? Optional.empty() : Optional.of(cluster);
    }

    /** Keeps no per-connection state, so every connection shares this one. */
    @Override
    public Interceptor create(ConnectionContext connection) {
        return this;
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
        return request.expectsResponse() ? refuse((ProduceRequestData) request.message(), context) : RequestAction.forward();
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
        return hide((MetadataResponseData) response.message(), context.servingCluster().orElse(""));
    }

    private RequestAction refuse(ProduceRequestData produce, ConnectionContext context) {
        String active = context.servingCluster().orElse("");
        String refusedTopic = null;
        String refusedTo = null;
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            // Null when the request names the topic by an id no metadata response has named yet: it cannot be pinned.
            String name = context.topicName(topic.name(), topic.topicId()).orElse(null);
            Optional<String> pin = pinnedElsewhere(name, active);
            if (pin.isPresent() && refusedTopic == null) {
                refusedTopic = name;
                refusedTo = pin.get();
            }
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                topicResponse.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partition.index())
                        .setErrorCode(pin.isPresent() ? Errors.TOPIC_AUTHORIZATION_FAILED.code() : Errors.NOT_LEADER_OR_FOLLOWER.code())
                        .setErrorMessage(pin.map(cluster -> "topic " + name + " is pinned to cluster " + cluster + " and cluster "
                                + active + " is active").orElse(null)));
            }
            response.responses().add(topicResponse);
        }
        if (refusedTopic == null) {
            return RequestAction.forward();
        }
        LOG.warn("Refusing produce to topic={} from clientId={}: it is pinned to cluster {} and cluster {} is active",
                refusedTopic, context.clientId(), refusedTo, active);
        return RequestAction.answer(response);
    }

    private ResponseAction hide(MetadataResponseData metadata, String active) {
        boolean changed = false;
        for (MetadataResponseData.MetadataResponseTopic topic : metadata.topics()) {
            Optional<String> pin = pinnedElsewhere(topic.name(), active);
            if (pin.isPresent()) {
                topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).partitions().clear();
                LOG.warn("Topic {} hidden from metadata: it is pinned to cluster {}", topic.name(), pin.get());
                changed = true;
            }
        }
        return changed ? ResponseAction.forwardModified() : ResponseAction.forward();
    }
}
