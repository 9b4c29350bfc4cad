package dev.switchboard.intercept;

import java.util.Optional;
import java.util.function.Function;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a produce request some of whose topics are refused: their partitions get the refusal's error and its
 * message, the other partitions NOT_LEADER_OR_FOLLOWER, so that the client sends them again, alone, rather than fail
 * them with a topic they were only batched with.
 */
public final class ProduceRefusal {

    /** The answer, and the first refused topic, for the log. */
    public record Refused(ProduceResponseData response, String firstTopic) {
    }

    private ProduceRefusal() {
    }

    /**
     * Empty when {@code why} refuses no topic. {@code why} gets each topic's name (null when the request names it by an
     * id no metadata named yet) and gives the message to refuse it with, or empty to let it through.
     */
    public static Optional<Refused> refuse(ProduceRequestData produce, ConnectionContext context, Errors error,
                                           Function<String, Optional<String>> why) {
        String firstTopic = null;
        boolean refusedAny = false;
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            String name = context.topicName(topic.name(), topic.topicId()).orElse(null);
            Optional<String> refusal = why.apply(name);
            if (refusal.isPresent() && !refusedAny) {
                refusedAny = true;
                firstTopic = name;
            }
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                topicResponse.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partition.index())
                        .setErrorCode(refusal.isPresent() ? error.code() : Errors.NOT_LEADER_OR_FOLLOWER.code())
                        .setErrorMessage(refusal.orElse(null)));
            }
            response.responses().add(topicResponse);
        }
        return refusedAny ? Optional.of(new Refused(response, firstTopic)) : Optional.empty();
    }
}
