package dev.switchboard.chaos;

import dev.switchboard.intercept.InterceptedRequest;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;

/** Whether a request is about a topic in a rule's scope. */
public final class RequestTopics {

    private RequestTopics() {
    }

    /**
     * For Produce and Fetch, whether any topic they name is in scope; a request of another API, or one that names no
     * topic, is in scope only of a rule that names no topic. Decodes the request only when the rule names a topic.
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
            default -> {
                return false;
            }
        }
    }
}
