package dev.switchboard.chaos;

import java.util.Optional;

import dev.switchboard.intercept.InterceptedRequest;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/** The consumer group a request is about, for the APIs that name one. */
public final class RequestGroups {

    /** The APIs that name exactly one group (OffsetFetch from v8 may name several; the first counts). */
    public static final ApiKeys[] APIS = {ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
            ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.TXN_OFFSET_COMMIT,
            ApiKeys.ADD_OFFSETS_TO_TXN};

    private RequestGroups() {
    }

    public static Optional<String> of(InterceptedRequest request) {
        return Optional.ofNullable(switch (request.apiKey()) {
            case JOIN_GROUP -> ((JoinGroupRequestData) request.message()).groupId();
            case SYNC_GROUP -> ((SyncGroupRequestData) request.message()).groupId();
            case HEARTBEAT -> ((HeartbeatRequestData) request.message()).groupId();
            case LEAVE_GROUP -> ((LeaveGroupRequestData) request.message()).groupId();
            case OFFSET_COMMIT -> ((OffsetCommitRequestData) request.message()).groupId();
            case OFFSET_FETCH -> offsetFetchGroup((OffsetFetchRequestData) request.message());
            case CONSUMER_GROUP_HEARTBEAT -> ((ConsumerGroupHeartbeatRequestData) request.message()).groupId();
            case TXN_OFFSET_COMMIT -> ((TxnOffsetCommitRequestData) request.message()).groupId();
            case ADD_OFFSETS_TO_TXN -> ((AddOffsetsToTxnRequestData) request.message()).groupId();
            default -> null;
        }).filter(group -> !group.isEmpty());
    }

    private static String offsetFetchGroup(OffsetFetchRequestData fetch) {
        if (!fetch.groups().isEmpty()) {
            return fetch.groups().get(0).groupId();
        }
        return fetch.groupId();
    }
}
