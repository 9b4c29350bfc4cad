package dev.switchboard.chaos;

import dev.switchboard.intercept.InterceptedRequest;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;

/** Whether a request is about a topic in a rule's scope. */
public final class RequestTopics {

    private RequestTopics() {
    }

    /**
     * For Produce, Fetch, AddPartitionsToTxn (of every transaction it batches) and TxnOffsetCommit, whether any topic
     * they name is in scope; a request of another API, or one that names no topic, is in scope only of a rule that
     * names no topic. Decodes the request only when the rule names a topic.
     */
    public static boolean anyInScope(InterceptedRequest request, FaultContext context) {
        if (context.topicInScope(null)) {
            return true;
        }
        switch (request.apiKey()) {
            case PRODUCE -> {
                for (ProduceRequestData.TopicProduceData topic : ((ProduceRequestData) request.message()).topicData()) {
                    if (context.topicInScope(topic.name(), topic.topicId())) {
                        return true;
                    }
                }
                return false;
            }
            case FETCH -> {
                for (FetchRequestData.FetchTopic topic : ((FetchRequestData) request.message()).topics()) {
                    if (context.topicInScope(topic.topic(), topic.topicId())) {
                        return true;
                    }
                }
                return false;
            }
            case ADD_PARTITIONS_TO_TXN -> {
                AddPartitionsToTxnRequestData add = (AddPartitionsToTxnRequestData) request.message();
                if (anyInScope(add.v3AndBelowTopics(), context)) {
                    return true;
                }
                for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction transaction : add.transactions()) {
                    if (anyInScope(transaction.topics(), context)) {
                        return true;
                    }
                }
                return false;
            }
            case TXN_OFFSET_COMMIT -> {
                for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic
                        : ((TxnOffsetCommitRequestData) request.message()).topics()) {
                    if (context.topicInScope(topic.name())) {
                        return true;
                    }
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean anyInScope(AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics,
                                      FaultContext context) {
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic topic : topics) {
            if (context.topicInScope(topic.name())) {
                return true;
            }
        }
        return false;
    }
}
