package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.Test;

/**
 * The error responses the gateway answers with for the transaction and group APIs, read back at the request's
 * version as a client reads them: each error where a broker puts it.
 */
class ErrorResponsesTest {

    @Test
    void everyErrorCodeReachesTheClientAsItself() {
        AbstractRequest endTxn = request(new EndTxnRequestData().setTransactionalId("tx").setProducerId(7).setCommitted(true),
                ApiKeys.END_TXN.latestVersion());
        for (Errors error : Errors.values()) {
            if (error != Errors.NONE) {
                EndTxnResponseData answer = (EndTxnResponseData) reread(ErrorResponses.of(endTxn, error, "chaos"), endTxn).data();
                assertThat(Errors.forCode(answer.errorCode())).isEqualTo(error);
            }
        }
    }

    @Test
    void initProducerIdFailsWithNoProducerId() {
        AbstractRequest init = request(new InitProducerIdRequestData().setTransactionalId("tx").setTransactionTimeoutMs(60_000)
                .setProducerId(-1).setProducerEpoch((short) -1), ApiKeys.INIT_PRODUCER_ID.latestVersion());
        InitProducerIdResponseData answer = (InitProducerIdResponseData) reread(
                ErrorResponses.of(init, Errors.CONCURRENT_TRANSACTIONS, "chaos"), init).data();
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(answer.producerId()).isEqualTo(-1);
        assertThat(answer.producerEpoch()).isEqualTo((short) -1);
    }

    @Test
    void aClientsAddPartitionsToTxnFailsOnEachOfItsPartitions() {
        AbstractRequest add = AddPartitionsToTxnRequest.Builder.forClient("tx", 7, (short) 0,
                List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("audit", 0)))
                .build((short) 3);
        AddPartitionsToTxnResponse answer = (AddPartitionsToTxnResponse) reread(
                ErrorResponses.of(add, Errors.CONCURRENT_TRANSACTIONS, "chaos"), add);
        assertThat(answer.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID)).isEqualTo(Map.of(
                new TopicPartition("orders", 0), Errors.CONCURRENT_TRANSACTIONS,
                new TopicPartition("orders", 1), Errors.CONCURRENT_TRANSACTIONS,
                new TopicPartition("audit", 0), Errors.CONCURRENT_TRANSACTIONS));
    }

    @Test
    void aBatchedAddPartitionsToTxnFailsEachTransactionsPartitionsNotTheBatch() {
        AbstractRequest batch = batchedAddPartitions();
        AddPartitionsToTxnResponse answer = (AddPartitionsToTxnResponse) reread(
                ErrorResponses.of(batch, Errors.COORDINATOR_LOAD_IN_PROGRESS, "chaos"), batch);
        assertThat(answer.data().errorCode()).as("top-level error").isEqualTo(Errors.NONE.code());
        assertThat(answer.errors()).isEqualTo(Map.of(
                "tx-a", Map.of(new TopicPartition("orders", 0), Errors.COORDINATOR_LOAD_IN_PROGRESS,
                        new TopicPartition("orders", 1), Errors.COORDINATOR_LOAD_IN_PROGRESS),
                "tx-b", Map.of(new TopicPartition("audit", 2), Errors.COORDINATOR_LOAD_IN_PROGRESS)));
    }

    @Test
    void aBatchedAddPartitionsToTxnIsRefusedWholeOnlyForTheSendersAuthorisation() {
        AbstractRequest batch = batchedAddPartitions();
        AddPartitionsToTxnResponseData answer = (AddPartitionsToTxnResponseData) reread(
                ErrorResponses.of(batch, Errors.CLUSTER_AUTHORIZATION_FAILED, "chaos"), batch).data();
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED);
        assertThat(answer.resultsByTransaction()).isEmpty();
    }

    @Test
    void txnOffsetCommitFailsOnEachOfItsPartitions() {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId("readers")
                .setProducerId(7).setGenerationId(3).setMemberId("m").setTopics(List.of(
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("orders").setPartitions(List.of(
                                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5),
                                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(1).setCommittedOffset(9)))));
        AbstractRequest commit = request(data, ApiKeys.TXN_OFFSET_COMMIT.latestVersion());
        TxnOffsetCommitResponse answer = (TxnOffsetCommitResponse) reread(
                ErrorResponses.of(commit, Errors.COORDINATOR_NOT_AVAILABLE, "chaos"), commit);
        assertThat(answer.errors()).isEqualTo(Map.of(new TopicPartition("orders", 0), Errors.COORDINATOR_NOT_AVAILABLE,
                new TopicPartition("orders", 1), Errors.COORDINATOR_NOT_AVAILABLE));
    }

    @Test
    void addOffsetsToTxnFailsAtTheTop() {
        AbstractRequest add = request(new AddOffsetsToTxnRequestData().setTransactionalId("tx").setProducerId(7)
                .setGroupId("readers"), ApiKeys.ADD_OFFSETS_TO_TXN.latestVersion());
        AddOffsetsToTxnResponseData answer = (AddOffsetsToTxnResponseData) reread(
                ErrorResponses.of(add, Errors.CONCURRENT_TRANSACTIONS, "chaos"), add).data();
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    }

    @Test
    void groupHeartbeatsAndCommitsFailAsTheirCoordinatorWouldFailThem() {
        AbstractRequest heartbeat = request(new HeartbeatRequestData().setGroupId("readers").setGenerationId(3).setMemberId("m"),
                ApiKeys.HEARTBEAT.latestVersion());
        HeartbeatResponseData heartbeatAnswer = (HeartbeatResponseData) reread(
                ErrorResponses.of(heartbeat, Errors.REBALANCE_IN_PROGRESS, "chaos"), heartbeat).data();
        assertThat(Errors.forCode(heartbeatAnswer.errorCode())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);

        AbstractRequest consumerHeartbeat = request(new ConsumerGroupHeartbeatRequestData().setGroupId("readers")
                .setMemberId("m").setMemberEpoch(4), ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion());
        ConsumerGroupHeartbeatResponseData consumerAnswer = (ConsumerGroupHeartbeatResponseData) reread(
                ErrorResponses.of(consumerHeartbeat, Errors.FENCED_MEMBER_EPOCH, "chaos"), consumerHeartbeat).data();
        assertThat(Errors.forCode(consumerAnswer.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(consumerAnswer.assignment()).as("assignment").isNull();

        AbstractRequest commit = request(new OffsetCommitRequestData().setGroupId("readers").setGenerationIdOrMemberEpoch(3)
                .setMemberId("m").setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(2)
                                .setCommittedOffset(40))))), (short) 9);
        OffsetCommitResponse commitAnswer = (OffsetCommitResponse) reread(
                ErrorResponses.of(commit, Errors.REBALANCE_IN_PROGRESS, "chaos"), commit);
        assertThat(commitAnswer.data().topics()).singleElement().satisfies(topic -> {
            assertThat(topic.name()).isEqualTo("orders");
            assertThat(topic.partitions()).singleElement().satisfies(partition -> {
                assertThat(partition.partitionIndex()).isEqualTo(2);
                assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            });
        });
    }

    private static AbstractRequest batchedAddPartitions() {
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(transaction("tx-a", 7, new AddPartitionsToTxnTopic().setName("orders").setPartitions(List.of(0, 1))));
        transactions.add(transaction("tx-b", 8, new AddPartitionsToTxnTopic().setName("audit").setPartitions(List.of(2))));
        return AddPartitionsToTxnRequest.Builder.forBroker(transactions).build(ApiKeys.ADD_PARTITIONS_TO_TXN.latestVersion());
    }

    private static AddPartitionsToTxnTransaction transaction(String id, long producerId, AddPartitionsToTxnTopic topic) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(topic);
        return new AddPartitionsToTxnTransaction().setTransactionalId(id).setProducerId(producerId).setVerifyOnly(true)
                .setTopics(topics);
    }

    /** A request as the gateway reads it: encoded by the client at {@code version}, parsed by kafka-clients. */
    private static AbstractRequest request(ApiMessage data, short version) {
        return AbstractRequest.parseRequest(ApiKeys.forId(data.apiKey()), version,
                new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(data, version).buffer())).request;
    }

    /** The answer as the client reads it: encoded at the request's version, parsed by kafka-clients. */
    private static AbstractResponse reread(ApiMessage answer, AbstractRequest request) {
        return AbstractResponse.parseResponse(request.apiKey(),
                new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(answer, request.version()).buffer()), request.version());
    }
}
