package dev.switchboard.chaos.faults;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.chaos.RequestGroups;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * {@code authorization-failure}: the topics and groups in scope are refused as by a broker whose ACLs do not allow
 * them, as on a failover day when the secondary's ACLs are missing. Param {@code resources}: {@code topics},
 * {@code groups} or both. By default the rule's scope decides: a rule naming only topics refuses those topics, one
 * naming only groups refuses those groups, and one naming both, or neither, refuses both. A topic-scoped rule that
 * refused every group too would take down consumers it was never aimed at.
 * <ul>
 *   <li>Topics ({@code scope.topic}): Produce and Fetch fail on their partitions with TOPIC_AUTHORIZATION_FAILED,
 *       nothing written; Metadata lists them with TOPIC_AUTHORIZATION_FAILED and no partitions, or, asked for every
 *       topic, leaves them out, as a broker hides the topics a client may not describe. Java clients throw
 *       {@code TopicAuthorizationException}.</li>
 *   <li>Groups ({@code scope.group}): FindCoordinator for the group, and every request naming it (JoinGroup,
 *       SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ConsumerGroupHeartbeat, TxnOffsetCommit,
 *       AddOffsetsToTxn), are answered with GROUP_AUTHORIZATION_FAILED; in a batched FindCoordinator or OffsetFetch
 *       only the groups in scope. Java consumers throw {@code GroupAuthorizationException}.</li>
 * </ul>
 * Neither is retriable: a client keeps failing until the rule is gone.
 */
public final class AuthorizationFailure implements Fault {

    public static final FaultType TYPE = new FaultType("authorization-failure",
            "TOPIC_AUTHORIZATION_FAILED on the topics in scope and GROUP_AUTHORIZATION_FAILED on the groups in scope",
            AuthorizationFailure::parse);

    static final String MESSAGE = "chaos: authorization failure";
    private static final Interest TOPICS = Interest.requests(ApiKeys.PRODUCE, ApiKeys.METADATA).andResponses(ApiKeys.FETCH);
    private static final Interest GROUPS = Interest.requests(RequestGroups.APIS).andRequests(ApiKeys.FIND_COORDINATOR);
    /** A topic's authorized operations when the client did not ask for them, as a broker leaves the field. */
    private static final int OPERATIONS_NOT_ASKED = Integer.MIN_VALUE;

    /** Which resources a rule refuses: named in {@code resources}, or chosen by what its scope names. */
    private enum Resources {
        TOPICS, GROUPS, BOTH, BY_SCOPE;

        boolean refusesTopics(FaultContext context) {
            return this == TOPICS || this == BOTH || this == BY_SCOPE && (namesTopics(context) || !context.namesGroups());
        }

        boolean refusesGroups(FaultContext context) {
            return this == GROUPS || this == BOTH || this == BY_SCOPE && (context.namesGroups() || !namesTopics(context));
        }

        private static boolean namesTopics(FaultContext context) {
            // A rule that names no topic takes in every topic, and only such a rule takes in a request naming none.
            return !context.topicInScope(null);
        }
    }

    private final Resources resources;

    AuthorizationFailure(Resources resources) {
        this.resources = resources;
    }

    static AuthorizationFailure parse(Params params) {
        List<String> resources = params.strings("resources");
        for (String resource : resources) {
            if (!resource.equals("topics") && !resource.equals("groups")) {
                throw params.invalid("resources", "'" + resource + "' is not a resource; use topics, groups or both");
            }
        }
        if (resources.isEmpty()) {
            return new AuthorizationFailure(Resources.BY_SCOPE);
        }
        boolean topics = resources.contains("topics");
        boolean groups = resources.contains("groups");
        return new AuthorizationFailure(topics && groups ? Resources.BOTH : topics ? Resources.TOPICS : Resources.GROUPS);
    }

    @Override
    public Interest interest() {
        return switch (resources) {
            case TOPICS -> TOPICS;
            case GROUPS -> GROUPS;
            case BOTH, BY_SCOPE -> TOPICS.and(GROUPS);
        };
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        boolean topicRequest = request.apiKey() == ApiKeys.PRODUCE || request.apiKey() == ApiKeys.METADATA;
        if (topicRequest ? !resources.refusesTopics(context) : !resources.refusesGroups(context)) {
            return RequestAction.forward();
        }
        if (request.apiKey() == ApiKeys.PRODUCE) {
            return context.groupInScope(request)
                    ? PartitionErrors.failProduce(request, context, Errors.TOPIC_AUTHORIZATION_FAILED, MESSAGE)
                    : RequestAction.forward();
        }
        if (request.apiKey() == ApiKeys.METADATA) {
            return hideTopics(request, context);
        }
        return GroupDenial.apply(request, context, MESSAGE);
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        if (!resources.refusesTopics(context) || !context.groupInScope((String) null)) {
            return ResponseAction.forward();
        }
        return PartitionErrors.failFetch(response, context, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    /** Marks the in-scope topics of the response to a metadata request that asks for every topic or one in scope. */
    private static RequestAction hideTopics(InterceptedRequest request, FaultContext context) {
        MetadataRequestData metadata = (MetadataRequestData) request.message();
        boolean everyTopic = metadata.topics() == null || (request.apiVersion() == 0 && metadata.topics().isEmpty());
        boolean asksInScope = everyTopic || metadata.topics().stream()
                .anyMatch(topic -> context.topicInScope(topic.name(), Uuid.ZERO_UUID.equals(topic.topicId()) ? null : topic.topicId()));
        if (asksInScope && context.groupInScope(request)) {
            context.changeResponse(request.header().correlationId(), ApiKeys.METADATA,
                    response -> refuse((MetadataResponseData) response, everyTopic, context));
        }
        return RequestAction.forward();
    }

    private static void refuse(MetadataResponseData metadata, boolean everyTopic, FaultContext context) {
        List<MetadataResponseData.MetadataResponseTopic> inScope = new ArrayList<>();
        for (MetadataResponseData.MetadataResponseTopic topic : metadata.topics()) {
            Uuid id = Uuid.ZERO_UUID.equals(topic.topicId()) ? null : topic.topicId();
            if (topic.errorCode() == Errors.NONE.code() && context.topicInScope(topic.name(), id)) {
                inScope.add(topic);
            }
        }
        if (inScope.isEmpty() || !context.hit()) {
            return;
        }
        for (MetadataResponseData.MetadataResponseTopic topic : inScope) {
            if (everyTopic) {
                metadata.topics().remove(topic);
            } else {
                topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setTopicId(Uuid.ZERO_UUID).setIsInternal(false)
                        .setTopicAuthorizedOperations(OPERATIONS_NOT_ASKED).partitions().clear();
            }
        }
    }
}
