package dev.switchboard.security;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway ACLs on the wire, with the error codes a broker uses: TOPIC_AUTHORIZATION_FAILED per partition (the other
 * partitions of the same produce NOT_LEADER_OR_FOLLOWER, so the client sends them again alone),
 * GROUP_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED. Metadata lists only
 * the topics the principal may describe; a topic it asks for by name and may not describe comes back unauthorized,
 * and only a principal allowed to create a topic lets the broker create it. ListGroups lists only the groups it may
 * describe. CreateAcls, DescribeAcls and DeleteAcls are answered here, from the gateway's ACLs.
 *
 * <p>Fail closed: an API this class does not check is refused with CLUSTER_AUTHORIZATION_FAILED, except to super users
 * and to whoever has ALL on the cluster.
 * First in the chain after strict parsing, so no other feature acts on a request that is refused.
 */
public final class AclEnforcement implements InterceptorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(AclEnforcement.class);
    private static final String CLUSTER = "kafka-cluster";
    private static final String ANONYMOUS = "User:ANONYMOUS";
    /** Metadata requests in flight on one connection: more are pipelined only by a client gone wrong. */
    private static final int MAX_PENDING_METADATA = 1_000;

    private final GatewayAcls acls;
    private final MeterRegistry registry;

    public AclEnforcement(GatewayAcls acls, MeterRegistry registry) {
        this.acls = acls;
        this.registry = registry;
    }

    @Override
    public String name() {
        return "acls";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new OnConnection();
    }

    /** One connection's view: which of its Metadata requests in flight asked for every topic. */
    private final class OnConnection implements Interceptor {

        private static final Interest INTEREST = Interest.allRequests().andResponses(ApiKeys.METADATA,
                ApiKeys.DESCRIBE_TOPIC_PARTITIONS, ApiKeys.LIST_GROUPS);
        private final ArrayDeque<int[]> topicRequestsInFlight = new ArrayDeque<>();
        /** Made once per principal, not per request: an anonymous client may still authenticate on its connection. */
        private Caller caller;
        private Optional<String> callerPrincipal;

        private Caller callerOf(ConnectionContext connection) {
            Optional<String> principal = connection.principal();
            if (caller == null || principal != callerPrincipal) {
                caller = caller(connection);
                callerPrincipal = principal;
            }
            return caller;
        }

        @Override
        public Interest interest() {
            return INTEREST;
        }

        @Override
        public RequestAction onRequest(InterceptedRequest request, ConnectionContext connection) {
            Caller caller = callerOf(connection);
            return switch (request.apiKey()) {
                // Open on a broker too: KIP-714 telemetry is sent by every Java client since 3.7.
                case API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE, DESCRIBE_CLUSTER, GET_TELEMETRY_SUBSCRIPTIONS, PUSH_TELEMETRY ->
                        RequestAction.forward();
                case DESCRIBE_CONFIGS -> describeConfigs((DescribeConfigsRequestData) request.message(), caller);
                case PRODUCE -> produce((ProduceRequestData) request.message(), request.expectsResponse(), caller, connection);
                case FETCH -> topics(caller, AclOperation.READ, fetchTopics((FetchRequestData) request.message(), connection),
                        Errors.TOPIC_AUTHORIZATION_FAILED);
                case METADATA -> metadata(request, caller);
                case DESCRIBE_TOPIC_PARTITIONS -> {
                    remember(request.header().correlationId(), ((DescribeTopicPartitionsRequestData) request.message()).topics().isEmpty());
                    yield RequestAction.forward(); // the answer is filtered
                }
                case LIST_OFFSETS -> topics(caller, AclOperation.DESCRIBE, ((ListOffsetsRequestData) request.message()).topics().stream()
                        .map(ListOffsetsRequestData.ListOffsetsTopic::name).toList(), Errors.TOPIC_AUTHORIZATION_FAILED);
                case FIND_COORDINATOR -> findCoordinator((FindCoordinatorRequestData) request.message(), request.apiVersion(), caller);
                case JOIN_GROUP -> group(caller, AclOperation.READ, ((JoinGroupRequestData) request.message()).groupId());
                case SYNC_GROUP -> group(caller, AclOperation.READ, ((SyncGroupRequestData) request.message()).groupId());
                case HEARTBEAT -> group(caller, AclOperation.READ, ((HeartbeatRequestData) request.message()).groupId());
                case LEAVE_GROUP -> group(caller, AclOperation.READ, ((LeaveGroupRequestData) request.message()).groupId());
                case CONSUMER_GROUP_HEARTBEAT -> consumerGroupHeartbeat((ConsumerGroupHeartbeatRequestData) request.message(), caller);
                case OFFSET_COMMIT -> offsetCommit((OffsetCommitRequestData) request.message(), caller);
                case OFFSET_FETCH -> offsetFetch((OffsetFetchRequestData) request.message(), caller);
                case DESCRIBE_GROUPS -> groups(caller, AclOperation.DESCRIBE, ((DescribeGroupsRequestData) request.message()).groups());
                case DELETE_GROUPS -> groups(caller, AclOperation.DELETE, ((DeleteGroupsRequestData) request.message()).groupsNames());
                case LIST_GROUPS -> RequestAction.forward(); // the answer is filtered
                case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequestData) request.message(), caller);
                case ADD_PARTITIONS_TO_TXN -> addPartitionsToTxn((AddPartitionsToTxnRequestData) request.message(), caller, connection);
                case ADD_OFFSETS_TO_TXN -> {
                    AddOffsetsToTxnRequestData add = (AddOffsetsToTxnRequestData) request.message();
                    RequestAction refused = transactionalId(caller, add.transactionalId());
                    yield refused != null ? refused : group(caller, AclOperation.READ, add.groupId());
                }
                case END_TXN -> orForward(transactionalId(caller, ((EndTxnRequestData) request.message()).transactionalId()));
                case TXN_OFFSET_COMMIT -> {
                    TxnOffsetCommitRequestData commit = (TxnOffsetCommitRequestData) request.message();
                    RequestAction refused = transactionalId(caller, commit.transactionalId());
                    yield refused != null ? refused : group(caller, AclOperation.READ, commit.groupId());
                }
                case CREATE_TOPICS -> creates(caller, ((CreateTopicsRequestData) request.message()).topics().stream()
                        .map(CreateTopicsRequestData.CreatableTopic::name).toList());
                case DELETE_TOPICS -> topics(caller, AclOperation.DELETE, deletedTopics((DeleteTopicsRequestData) request.message()),
                        Errors.TOPIC_AUTHORIZATION_FAILED);
                case CREATE_PARTITIONS -> topics(caller, AclOperation.ALTER, ((CreatePartitionsRequestData) request.message()).topics()
                        .stream().map(CreatePartitionsRequestData.CreatePartitionsTopic::name).toList(), Errors.TOPIC_AUTHORIZATION_FAILED);
                case CREATE_ACLS -> cluster(caller, AclOperation.ALTER).orElseGet(() -> createAcls((CreateAclsRequestData) request.message(), caller));
                case DESCRIBE_ACLS -> cluster(caller, AclOperation.DESCRIBE).orElseGet(() -> describeAcls((DescribeAclsRequestData) request.message()));
                case DELETE_ACLS -> cluster(caller, AclOperation.ALTER).orElseGet(() -> deleteAcls((DeleteAclsRequestData) request.message(), caller));
                default -> cluster(caller, AclOperation.ALL).orElse(RequestAction.forward());
            };
        }

        @Override
        public ResponseAction onResponse(InterceptedResponse response, ConnectionContext connection) {
            Caller caller = callerOf(connection);
            if (response.apiKey() == ApiKeys.LIST_GROUPS) {
                ListGroupsResponseData groups = (ListGroupsResponseData) response.message();
                boolean changed = groups.groups().removeIf(group -> !caller.allows(AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId()));
                return changed ? ResponseAction.forwardModified() : ResponseAction.forward();
            }
            boolean allTopics = askedForAll(response.correlationId());
            if (response.apiKey() == ApiKeys.DESCRIBE_TOPIC_PARTITIONS) {
                return describedTopics((DescribeTopicPartitionsResponseData) response.message(), allTopics, caller);
            }
            MetadataResponseData metadata = (MetadataResponseData) response.message();
            boolean changed = false;
            var topics = metadata.topics().iterator();
            while (topics.hasNext()) {
                MetadataResponseData.MetadataResponseTopic topic = topics.next();
                if (topic.name() != null && !caller.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                    changed = true;
                    if (allTopics) {
                        topics.remove(); // a broker does not list what the principal may not describe
                    } else {
                        topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setTopicId(Uuid.ZERO_UUID)
                                .setIsInternal(false).partitions().clear();
                    }
                }
            }
            return changed ? ResponseAction.forwardModified() : ResponseAction.forward();
        }

        /** As for Metadata: what the principal may not describe is left out, or unauthorized when asked for by name. */
        private ResponseAction describedTopics(DescribeTopicPartitionsResponseData described, boolean allTopics, Caller caller) {
            boolean changed = false;
            var topics = described.topics().iterator();
            while (topics.hasNext()) {
                DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic topic = topics.next();
                if (topic.name() != null && !caller.allows(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                    changed = true;
                    if (allTopics) {
                        topics.remove();
                    } else {
                        topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setTopicId(Uuid.ZERO_UUID).setIsInternal(false)
                                .partitions().clear();
                    }
                }
            }
            return changed ? ResponseAction.forwardModified() : ResponseAction.forward();
        }

        /** A request for topics in flight, and whether it asked for every topic; bounded. */
        private void remember(int correlationId, boolean allTopics) {
            if (topicRequestsInFlight.size() >= MAX_PENDING_METADATA) {
                topicRequestsInFlight.poll();
                Counter.builder("switchboard.acl.metadata.forgotten").description("Metadata requests whose kind (all topics or "
                        + "named) the ACL check forgot: more than 1,000 in flight on one connection").register(registry).increment();
            }
            topicRequestsInFlight.add(new int[]{correlationId, allTopics ? 1 : 0});
        }

        private boolean askedForAll(int correlationId) {
            while (!topicRequestsInFlight.isEmpty()) {
                int[] pending = topicRequestsInFlight.poll();
                if (pending[0] == correlationId) {
                    return pending[1] == 1;
                }
            }
            return false;
        }

        private RequestAction metadata(InterceptedRequest request, Caller caller) {
            MetadataRequestData metadata = (MetadataRequestData) request.message();
            boolean all = metadata.topics() == null || request.apiVersion() == 0 && metadata.topics().isEmpty();
            remember(request.header().correlationId(), all);
            if (!all && metadata.allowAutoTopicCreation() && metadata.topics().stream()
                    .anyMatch(topic -> topic.name() != null && !caller.allowsCreate(topic.name()))) {
                // The broker would create it with the gateway's rights, not the client's.
                metadata.setAllowAutoTopicCreation(false);
                return RequestAction.forwardModified();
            }
            return RequestAction.forward();
        }

        private RequestAction produce(ProduceRequestData produce, boolean expectsResponse, Caller caller, ConnectionContext connection) {
            if (produce.transactionalId() != null) {
                RequestAction refused = transactionalId(caller, produce.transactionalId());
                if (refused != null) {
                    return refused;
                }
            }
            Optional<ProduceRefusal.Refused> refused = ProduceRefusal.refuse(produce, connection, Errors.TOPIC_AUTHORIZATION_FAILED,
                    topic -> topic == null || !caller.allows(AclOperation.WRITE, ResourceType.TOPIC, topic)
                            ? Optional.of(caller.principal + " may not write to topic " + topic) : Optional.empty());
            if (refused.isEmpty()) {
                return RequestAction.forward();
            }
            denied(caller, "WRITE", "topic " + refused.get().firstTopic());
            // With acks=0 nothing is answered; the records are not written either.
            return expectsResponse ? RequestAction.answer(refused.get().response()) : RequestAction.drop();
        }

        private RequestAction offsetCommit(OffsetCommitRequestData commit, Caller caller) {
            RequestAction refused = groupCheck(caller, AclOperation.READ, commit.groupId());
            return refused != null ? refused : topics(caller, AclOperation.READ, commit.topics().stream()
                    .map(OffsetCommitRequestData.OffsetCommitRequestTopic::name).toList(), Errors.TOPIC_AUTHORIZATION_FAILED);
        }

        private RequestAction offsetFetch(OffsetFetchRequestData fetch, Caller caller) {
            if (fetch.groups().isEmpty()) {
                RequestAction refused = groupCheck(caller, AclOperation.DESCRIBE, fetch.groupId());
                return refused != null ? refused : fetch.topics() == null ? RequestAction.forward() : topics(caller, AclOperation.DESCRIBE,
                        fetch.topics().stream().map(OffsetFetchRequestData.OffsetFetchRequestTopic::name).toList(),
                        Errors.TOPIC_AUTHORIZATION_FAILED);
            }
            for (OffsetFetchRequestData.OffsetFetchRequestGroup group : fetch.groups()) {
                RequestAction refused = groupCheck(caller, AclOperation.DESCRIBE, group.groupId());
                if (refused != null) {
                    return refused;
                }
                if (group.topics() != null) {
                    RequestAction topicRefused = topics(caller, AclOperation.DESCRIBE, group.topics().stream()
                            .map(topic -> topic.name()).toList(), Errors.TOPIC_AUTHORIZATION_FAILED);
                    if (!(topicRefused instanceof RequestAction.Forward)) {
                        return topicRefused;
                    }
                }
            }
            return RequestAction.forward();
        }

        private RequestAction consumerGroupHeartbeat(ConsumerGroupHeartbeatRequestData heartbeat, Caller caller) {
            RequestAction refused = groupCheck(caller, AclOperation.READ, heartbeat.groupId());
            if (refused != null || heartbeat.subscribedTopicNames() == null) {
                return orForward(refused);
            }
            return topics(caller, AclOperation.DESCRIBE, heartbeat.subscribedTopicNames(), Errors.TOPIC_AUTHORIZATION_FAILED);
        }

        private RequestAction findCoordinator(FindCoordinatorRequestData find, short version, Caller caller) {
            List<String> keys = version >= 4 ? find.coordinatorKeys() : List.of(find.key());
            boolean transactions = find.keyType() == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id();
            for (String key : keys) {
                if (transactions ? !caller.allows(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                        : !caller.allows(AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
                    denied(caller, "DESCRIBE", (transactions ? "transactional id " : "group ") + key);
                    return RequestAction.answerError(transactions ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
                            : Errors.GROUP_AUTHORIZATION_FAILED, caller.principal + " may not describe " + key);
                }
            }
            return RequestAction.forward();
        }

        private RequestAction initProducerId(InitProducerIdRequestData init, Caller caller) {
            if (init.transactionalId() != null) {
                return orForward(transactionalId(caller, init.transactionalId()));
            }
            // As Kafka since 3.0: an idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on any topic.
            if (caller.allows(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER) || caller.writesAnyTopic()) {
                return RequestAction.forward();
            }
            denied(caller, "IDEMPOTENT_WRITE", "the cluster");
            return RequestAction.answerError(Errors.CLUSTER_AUTHORIZATION_FAILED, caller.principal
                    + " may not produce idempotently: it may write to no topic");
        }

        private RequestAction addPartitionsToTxn(AddPartitionsToTxnRequestData add, Caller caller, ConnectionContext connection) {
            if (add.v3AndBelowTransactionalId() != null && !add.v3AndBelowTransactionalId().isEmpty()) {
                RequestAction refused = transactionalId(caller, add.v3AndBelowTransactionalId());
                return refused != null ? refused : topics(caller, AclOperation.WRITE, add.v3AndBelowTopics().stream()
                        .map(AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic::name).toList(), Errors.TOPIC_AUTHORIZATION_FAILED);
            }
            // v4 and later batch transactions, which only brokers send to each other.
            return cluster(caller, AclOperation.CLUSTER_ACTION).orElse(RequestAction.forward());
        }

        /** Topics' configs need DESCRIBE_CONFIGS on the topic, brokers' on the cluster; other resources are the cluster's. */
        private RequestAction describeConfigs(DescribeConfigsRequestData describe, Caller caller) {
            for (DescribeConfigsRequestData.DescribeConfigsResource resource : describe.resources()) {
                boolean topic = resource.resourceType() == ConfigResource.Type.TOPIC.id();
                if (topic && !caller.allows(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, resource.resourceName())) {
                    denied(caller, "DESCRIBE_CONFIGS", "topic " + resource.resourceName());
                    return RequestAction.answerError(Errors.TOPIC_AUTHORIZATION_FAILED, caller.principal
                            + " may not describe the configs of topic " + resource.resourceName());
                }
                if (!topic) {
                    Optional<RequestAction> refused = cluster(caller, AclOperation.DESCRIBE_CONFIGS);
                    if (refused.isPresent()) {
                        return refused.get();
                    }
                }
            }
            return RequestAction.forward();
        }

        private RequestAction creates(Caller caller, List<String> topics) {
            for (String topic : topics) {
                if (!caller.allowsCreate(topic)) {
                    denied(caller, "CREATE", "topic " + topic);
                    return RequestAction.answerError(Errors.TOPIC_AUTHORIZATION_FAILED, caller.principal + " may not create topic " + topic);
                }
            }
            return RequestAction.forward();
        }

        private RequestAction createAcls(CreateAclsRequestData create, Caller caller) {
            List<AclBinding> bindings = create.creations().stream().map(CreateAclsRequest::aclBinding).toList();
            List<String> results = acls.add(bindings, caller.auditName());
            CreateAclsResponseData response = new CreateAclsResponseData();
            for (String invalid : results) {
                response.results().add(invalid == null ? new CreateAclsResponseData.AclCreationResult()
                        : new CreateAclsResponseData.AclCreationResult().setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid));
            }
            return RequestAction.answer(response);
        }

        private RequestAction describeAcls(DescribeAclsRequestData describe) {
            AclBindingFilter filter = filter(describe.resourceTypeFilter(), describe.resourceNameFilter(), describe.patternTypeFilter(),
                    describe.principalFilter(), describe.hostFilter(), describe.operation(), describe.permissionType());
            return RequestAction.answer(new DescribeAclsResponseData().setResources(DescribeAclsResponse.aclsResources(acls.describe(filter))));
        }

        private RequestAction deleteAcls(DeleteAclsRequestData delete, Caller caller) {
            DeleteAclsResponseData response = new DeleteAclsResponseData();
            for (DeleteAclsRequestData.DeleteAclsFilter requested : delete.filters()) {
                AclBindingFilter filter = filter(requested.resourceTypeFilter(), requested.resourceNameFilter(),
                        requested.patternTypeFilter(), requested.principalFilter(), requested.hostFilter(), requested.operation(),
                        requested.permissionType());
                DeleteAclsResponseData.DeleteAclsFilterResult result = new DeleteAclsResponseData.DeleteAclsFilterResult();
                for (AclBinding removed : acls.remove(filter, caller.auditName())) {
                    result.matchingAcls().add(DeleteAclsResponse.matchingAcl(removed, ApiError.NONE));
                }
                response.filterResults().add(result);
            }
            return RequestAction.answer(response);
        }

        private RequestAction topics(Caller caller, AclOperation operation, Collection<String> topics, Errors error) {
            for (String topic : topics) {
                if (topic == null || !caller.allows(operation, ResourceType.TOPIC, topic)) {
                    denied(caller, operation.name(), "topic " + topic);
                    return RequestAction.answerError(error, caller.principal + " may not " + verb(operation) + " topic " + topic);
                }
            }
            return RequestAction.forward();
        }

        private RequestAction group(Caller caller, AclOperation operation, String group) {
            return orForward(groupCheck(caller, operation, group));
        }

        private RequestAction groups(Caller caller, AclOperation operation, List<String> groups) {
            for (String group : groups) {
                RequestAction refused = groupCheck(caller, operation, group);
                if (refused != null) {
                    return refused;
                }
            }
            return RequestAction.forward();
        }

        /** Null when allowed. */
        private RequestAction groupCheck(Caller caller, AclOperation operation, String group) {
            if (caller.allows(operation, ResourceType.GROUP, group)) {
                return null;
            }
            denied(caller, operation.name(), "group " + group);
            return RequestAction.answerError(Errors.GROUP_AUTHORIZATION_FAILED, caller.principal + " may not " + verb(operation)
                    + " group " + group);
        }

        /** Null when allowed. */
        private RequestAction transactionalId(Caller caller, String id) {
            if (caller.allows(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) {
                return null;
            }
            denied(caller, "WRITE", "transactional id " + id);
            return RequestAction.answerError(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, caller.principal
                    + " may not use transactional id " + id);
        }

        private Optional<RequestAction> cluster(Caller caller, AclOperation operation) {
            if (caller.allows(operation, ResourceType.CLUSTER, CLUSTER)) {
                return Optional.empty();
            }
            denied(caller, operation.name(), "the cluster");
            return Optional.of(RequestAction.answerError(Errors.CLUSTER_AUTHORIZATION_FAILED, caller.principal + " may not "
                    + verb(operation) + " the cluster"));
        }

        private void denied(Caller caller, String operation, String what) {
            Counter.builder("switchboard.acl.denials").description("Requests refused by gateway ACLs, by operation")
                    .tag("operation", operation).register(registry).increment();
            LOG.info("ACL denied: principal={} host={} operation={} on {}", caller.principal, caller.host, operation, what);
        }
    }

    /** A filter as DescribeAcls and DeleteAcls carry it, field by field. */
    private static AclBindingFilter filter(byte resourceType, String name, byte patternType, String principal, String host,
                                           byte operation, byte permission) {
        return new AclBindingFilter(new ResourcePatternFilter(ResourceType.fromCode(resourceType), name, PatternType.fromCode(patternType)),
                new AccessControlEntryFilter(principal, host, AclOperation.fromCode(operation), AclPermissionType.fromCode(permission)));
    }

    private static RequestAction orForward(RequestAction refused) {
        return refused != null ? refused : RequestAction.forward();
    }

    private static String verb(AclOperation operation) {
        return operation == AclOperation.ALL ? "use" : operation.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static List<String> fetchTopics(FetchRequestData fetch, ConnectionContext connection) {
        List<String> names = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : fetch.topics()) {
            names.add(connection.topicName(topic.topic(), topic.topicId()).orElse(null));
        }
        return names;
    }

    private static List<String> deletedTopics(DeleteTopicsRequestData delete) {
        if (!delete.topicNames().isEmpty()) {
            return delete.topicNames();
        }
        List<String> names = new ArrayList<>();
        delete.topics().forEach(topic -> names.add(topic.name()));
        return names;
    }

    /** The connection's principal ({@code User:ANONYMOUS} when clients do not authenticate) and address. */
    private Caller caller(ConnectionContext connection) {
        InetSocketAddress address = connection.clientAddress();
        String host = address == null ? "" : address.getAddress().getHostAddress();
        return new Caller(connection.principal().orElse(ANONYMOUS), host);
    }

    /** Who is asking, as the ACLs see it. */
    private final class Caller {
        final String principal;
        final String host;

        private Caller(String principal, String host) {
            this.principal = principal;
            this.host = host;
        }

        boolean allows(AclOperation operation, ResourceType type, String name) {
            return acls.allows(principal, host, operation, type, name);
        }

        boolean allowsCreate(String topic) {
            return allows(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER) || allows(AclOperation.CREATE, ResourceType.TOPIC, topic);
        }

        boolean writesAnyTopic() {
            return acls.all().stream().anyMatch(binding -> binding.pattern().resourceType() == ResourceType.TOPIC
                    && binding.entry().permissionType() == AclPermissionType.ALLOW
                    && (binding.entry().operation() == AclOperation.WRITE || binding.entry().operation() == AclOperation.ALL)
                    && allows(AclOperation.WRITE, ResourceType.TOPIC, binding.pattern().name()));
        }

        String auditName() {
            return principal + " from " + host + " (Kafka ACL API)";
        }
    }
}
