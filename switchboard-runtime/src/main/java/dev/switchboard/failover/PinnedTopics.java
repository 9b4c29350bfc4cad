package dev.switchboard.failover;

import java.util.Map;
import java.util.Optional;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ProduceRefusal;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
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
        // A topic named by an id no metadata response has named yet cannot be pinned.
        Optional<ProduceRefusal.Refused> refused = ProduceRefusal.refuse(produce, context, Errors.TOPIC_AUTHORIZATION_FAILED,
                name -> pinnedElsewhere(name, active).map(cluster -> "topic " + name + " is pinned to cluster " + cluster
                        + " and cluster " + active + " is active"));
        if (refused.isEmpty()) {
            return RequestAction.forward();
        }
        String topic = refused.get().firstTopic();
        LOG.warn("Refusing produce to topic={} from clientId={}: it is pinned to cluster {} and cluster {} is active",
                topic, context.clientId(), pinnedTo.get(topic), active);
        return RequestAction.answer(refused.get().response());
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
