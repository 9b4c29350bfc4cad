package dev.switchboard.chaos;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The error codes a broker answers each API with, where a fault lets a rule choose one: what Apache Kafka's broker
 * and clients handle for that API, so a rule cannot send a client an error no broker ever would.
 */
public final class ApiErrors {

    private static final Set<Errors> ANY_REQUEST = EnumSet.of(Errors.UNKNOWN_SERVER_ERROR, Errors.REQUEST_TIMED_OUT,
            Errors.NETWORK_EXCEPTION, Errors.BROKER_NOT_AVAILABLE, Errors.THROTTLING_QUOTA_EXCEEDED);
    private static final Set<Errors> COORDINATOR = EnumSet.of(Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR,
            Errors.COORDINATOR_LOAD_IN_PROGRESS);
    private static final Map<ApiKeys, Set<Errors>> VALID = new EnumMap<>(ApiKeys.class);

    static {
        VALID.put(ApiKeys.PRODUCE, with(EnumSet.of(Errors.CORRUPT_MESSAGE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.UNKNOWN_TOPIC_ID, Errors.NOT_LEADER_OR_FOLLOWER, Errors.LEADER_NOT_AVAILABLE, Errors.INVALID_TOPIC_EXCEPTION,
                Errors.RECORD_LIST_TOO_LARGE, Errors.MESSAGE_TOO_LARGE, Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND, Errors.INVALID_REQUIRED_ACKS, Errors.TOPIC_AUTHORIZATION_FAILED,
                Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, Errors.INVALID_PRODUCER_EPOCH, Errors.PRODUCER_FENCED, Errors.INVALID_RECORD,
                Errors.INVALID_TXN_STATE, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, Errors.DUPLICATE_SEQUENCE_NUMBER,
                Errors.UNKNOWN_PRODUCER_ID, Errors.INVALID_PRODUCER_ID_MAPPING, Errors.KAFKA_STORAGE_ERROR, Errors.INVALID_TIMESTAMP,
                Errors.CONCURRENT_TRANSACTIONS), ANY_REQUEST));
        VALID.put(ApiKeys.FETCH, with(EnumSet.of(Errors.OFFSET_OUT_OF_RANGE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.UNKNOWN_TOPIC_ID, Errors.INCONSISTENT_TOPIC_ID, Errors.NOT_LEADER_OR_FOLLOWER, Errors.LEADER_NOT_AVAILABLE,
                Errors.REPLICA_NOT_AVAILABLE, Errors.KAFKA_STORAGE_ERROR, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
                Errors.OFFSET_NOT_AVAILABLE, Errors.TOPIC_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED,
                Errors.CORRUPT_MESSAGE, Errors.UNSUPPORTED_COMPRESSION_TYPE, Errors.FETCH_SESSION_ID_NOT_FOUND,
                Errors.INVALID_FETCH_SESSION_EPOCH, Errors.FETCH_SESSION_TOPIC_ID_ERROR), ANY_REQUEST));
        VALID.put(ApiKeys.METADATA, with(EnumSet.of(Errors.LEADER_NOT_AVAILABLE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.TOPIC_AUTHORIZATION_FAILED, Errors.INVALID_TOPIC_EXCEPTION, Errors.REPLICA_NOT_AVAILABLE,
                Errors.LISTENER_NOT_FOUND), ANY_REQUEST));
        VALID.put(ApiKeys.INIT_PRODUCER_ID, with(EnumSet.of(Errors.CONCURRENT_TRANSACTIONS, Errors.INVALID_PRODUCER_EPOCH,
                Errors.PRODUCER_FENCED, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED,
                Errors.INVALID_TRANSACTION_TIMEOUT, Errors.INVALID_PRODUCER_ID_MAPPING, Errors.TRANSACTION_ABORTABLE),
                COORDINATOR, ANY_REQUEST));
        Set<Errors> transaction = with(EnumSet.of(Errors.CONCURRENT_TRANSACTIONS, Errors.INVALID_PRODUCER_EPOCH,
                Errors.PRODUCER_FENCED, Errors.INVALID_PRODUCER_ID_MAPPING, Errors.INVALID_TXN_STATE,
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.UNKNOWN_PRODUCER_ID, Errors.TRANSACTION_ABORTABLE),
                COORDINATOR, ANY_REQUEST);
        VALID.put(ApiKeys.ADD_PARTITIONS_TO_TXN, with(EnumSet.of(Errors.TOPIC_AUTHORIZATION_FAILED,
                Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.OPERATION_NOT_ATTEMPTED), transaction));
        VALID.put(ApiKeys.ADD_OFFSETS_TO_TXN, with(EnumSet.of(Errors.GROUP_AUTHORIZATION_FAILED), transaction));
        VALID.put(ApiKeys.END_TXN, transaction);
        VALID.put(ApiKeys.TXN_OFFSET_COMMIT, with(EnumSet.of(Errors.GROUP_AUTHORIZATION_FAILED,
                Errors.TOPIC_AUTHORIZATION_FAILED, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_MEMBER_ID,
                Errors.ILLEGAL_GENERATION, Errors.FENCED_INSTANCE_ID, Errors.REBALANCE_IN_PROGRESS,
                Errors.OFFSET_METADATA_TOO_LARGE, Errors.INVALID_COMMIT_OFFSET_SIZE), transaction));
    }

    private ApiErrors() {
    }

    @SafeVarargs
    private static Set<Errors> with(Set<Errors> first, Set<Errors>... more) {
        Set<Errors> all = EnumSet.copyOf(first);
        for (Set<Errors> set : more) {
            all.addAll(set);
        }
        return all;
    }

    public static boolean validFor(ApiKeys api, Errors error) {
        Set<Errors> valid = VALID.get(api);
        return error != Errors.NONE && (valid == null || valid.contains(error));
    }

    static Set<String> namesFor(ApiKeys api) {
        return VALID.getOrDefault(api, EnumSet.noneOf(Errors.class)).stream().map(Errors::name).collect(Collectors.toSet());
    }
}
