package dev.switchboard.chaos;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Partition errors as a broker gives them, on the partitions of a rule's topics only: the other partitions of the
 * same request are served as usual, so a fault is felt in scope and not beside it.
 */
public final class PartitionErrors {

    private PartitionErrors() {
    }

    /**
     * Fails the in-scope partitions of a produce request with {@code error}, without writing them. When every partition
     * is in scope the gateway answers; otherwise the others go to the broker and the failed ones are added to its
     * response, so nothing in scope is written and nothing out of scope fails.
     */
    public static RequestAction failProduce(InterceptedRequest request, FaultContext context, Errors error, String message) {
        ProduceRequestData produce = (ProduceRequestData) request.message();
        List<ProduceRequestData.TopicProduceData> failed = new ArrayList<>();
        int kept = 0;
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            if (context.topicInScope(topic.name(), topic.topicId())) {
                failed.add(topic);
            } else {
                kept += topic.partitionData().size();
            }
        }
        if (failed.isEmpty() || !context.hit()) {
            return RequestAction.forward();
        }
        if (kept == 0) {
            return RequestAction.answerError(error, message);
        }
        List<ProduceResponseData.TopicProduceResponse> answers = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : failed) {
            produce.topicData().remove(topic);
            ProduceResponseData.TopicProduceResponse answer = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                answer.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(partition.index())
                        .setErrorCode(error.code()).setErrorMessage(message).setBaseOffset(-1).setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1));
            }
            answers.add(answer);
        }
        if (request.expectsResponse()) {
            context.changeResponse(request.header().correlationId(), ApiKeys.PRODUCE, response -> {
                ProduceResponseData data = (ProduceResponseData) response;
                answers.forEach(answer -> data.responses().add(answer.duplicate()));
            });
        }
        return RequestAction.forwardModified();
    }

    /** Gives the in-scope partitions of a fetch response {@code error} and no records, as a broker that cannot serve them. */
    public static ResponseAction failFetch(InterceptedResponse response, FaultContext context, Errors error) {
        FetchResponseData fetch = (FetchResponseData) response.message();
        List<FetchResponseData.PartitionData> inScope = inScope(fetch, context);
        if (inScope.isEmpty() || !context.hit()) {
            return ResponseAction.forward();
        }
        for (FetchResponseData.PartitionData partition : inScope) {
            fail(partition, error);
        }
        return ResponseAction.forwardModified();
    }

    /** Gives one partition of a fetch response {@code error} and no records, as a broker that cannot serve it. */
    public static FetchResponseData.PartitionData fail(FetchResponseData.PartitionData partition, Errors error) {
        return partition.setErrorCode(error.code()).setRecords(MemoryRecords.EMPTY).setHighWatermark(-1).setLastStableOffset(-1)
                .setLogStartOffset(-1).setAbortedTransactions(null).setPreferredReadReplica(-1)
                .setDivergingEpoch(new FetchResponseData.EpochEndOffset())
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch());
    }

    /** The partitions of a fetch response whose topic is in scope. */
    public static List<FetchResponseData.PartitionData> inScope(FetchResponseData fetch, FaultContext context) {
        List<FetchResponseData.PartitionData> partitions = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
            if (context.topicInScope(topic.topic(), topic.topicId())) {
                partitions.addAll(topic.partitions());
            }
        }
        return partitions;
    }

    /**
     * Gives every partition of the in-scope topics in a metadata response {@code error} and no leader, as during an
     * election; the topics stay listed, so clients keep them and ask again.
     */
    public static ResponseAction leaderlessMetadata(InterceptedResponse response, FaultContext context, Errors error) {
        MetadataResponseData metadata = (MetadataResponseData) response.message();
        List<MetadataResponseData.MetadataResponseTopic> inScope = new ArrayList<>();
        for (MetadataResponseData.MetadataResponseTopic topic : metadata.topics()) {
            if (topic.errorCode() == Errors.NONE.code() && context.topicInScope(topic.name(), topicId(topic))) {
                inScope.add(topic);
            }
        }
        if (inScope.isEmpty() || !context.hit()) {
            return ResponseAction.forward();
        }
        for (MetadataResponseData.MetadataResponseTopic topic : inScope) {
            for (MetadataResponseData.MetadataResponsePartition partition : topic.partitions()) {
                partition.setErrorCode(error.code()).setLeaderId(-1);
            }
        }
        return ResponseAction.forwardModified();
    }

    private static Uuid topicId(MetadataResponseData.MetadataResponseTopic topic) {
        return Uuid.ZERO_UUID.equals(topic.topicId()) ? null : topic.topicId();
    }

    /** One of {@code errors}, chosen by the rule's random source. */
    public static Errors pick(List<Errors> errors, FaultContext context) {
        return errors.size() == 1 ? errors.get(0) : errors.get(context.random().nextInt(errors.size()));
    }
}
