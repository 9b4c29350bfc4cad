package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.datapath.rewrite.RecordSkippingReadable;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * The requests the gateway answers itself, and the few facts it reads from requests and responses for a switch.
 * Each decodes with Kafka's generated classes, and only when a switch asks for it.
 */
final class LocalAnswers {

    /** The longest a fenced consumer's fetch waits for its empty answer, as a broker would wait for data. */
    static final long MAX_FENCED_FETCH_WAIT_MILLIS = 500;

    /** A produce request answered at the gateway: {@code topic} and {@code pinnedTo} are null unless it was pinned. */
    record Refusal(String topic, String pinnedTo, ByteBuf response) {
    }

    private LocalAnswers() {
    }

    /** A response frame: size prefix, header and body, in the given version. */
    static ByteBuf frame(int correlationId, ApiKeys api, short version, ApiMessage body) {
        ByteBuffer encoded = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(correlationId),
                api.responseHeaderVersion(version), body, version);
        ByteBuf frame = Unpooled.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        frame.writeInt(encoded.remaining()).writeBytes(encoded);
        return frame;
    }

    /**
     * The answer to a fenced consumer's fetch: no data and no error, as from a broker with nothing new. The client
     * fetches again; it has dropped its session, so the answer may hold no partitions.
     */
    static ByteBuf emptyFetch(RequestFrame request) {
        return frame(request.correlationId(), ApiKeys.FETCH, request.apiVersion(), new FetchResponseData()
                .setErrorCode(Errors.NONE.code()).setSessionId(0)); // no session: the next fetch is a full one
    }

    /** How long a fenced fetch waits: what the client asked a broker to wait, at most half a second. */
    static long fetchWaitMillis(RequestFrame request) {
        try {
            int maxWait = new FetchRequestData(new ByteBufferAccessor(request.body().duplicate()), request.apiVersion()).maxWaitMs();
            return Math.max(0, Math.min(maxWait, MAX_FENCED_FETCH_WAIT_MILLIS));
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable Fetch v" + request.apiVersion() + " request: " + e.getMessage());
        }
    }

    /** A ConsumerGroupHeartbeat with member epoch 0 joins afresh (KIP-848). */
    static boolean joinsAfresh(RequestFrame request) {
        try {
            return new ConsumerGroupHeartbeatRequestData(new ByteBufferAccessor(request.body().duplicate()), request.apiVersion())
                    .memberEpoch() == 0;
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable ConsumerGroupHeartbeat v" + request.apiVersion() + " request: "
                    + e.getMessage());
        }
    }

    /**
     * Refuses a produce request the gateway must not forward, or returns null:
     * <ul>
     *   <li>It writes to a topic pinned to another cluster than {@code cluster}: pinned partitions get
     *       TOPIC_AUTHORIZATION_FAILED, the others in the same request NOT_LEADER_OR_FOLLOWER so the client retries
     *       them alone.</li>
     *   <li>Its idempotent producer's id and epoch come from before a switch: every partition gets
     *       OUT_OF_ORDER_SEQUENCE_NUMBER, on which the Java producer bumps its epoch and restarts its sequences.
     *       Forwarded as it was, it could meet another producer holding the same id on the new cluster, and a
     *       batch matching one of that producer's last batches would be acknowledged and dropped as a
     *       duplicate.</li>
     * </ul>
     * A request that wants no answer ({@code acks=0}) is never refused.
     */
    static Refusal refuseProduce(RequestFrame request, ProduceRequestData produce, String cluster, SwitchGuard guard, TopicNames names) {
        if (!guard.pinsTopics() && !guard.resequencesProducers()) {
            return null;
        }
        if (produce.acks() == 0) {
            return null;
        }
        String refusedTopic = null;
        String pinnedTo = null;
        boolean staleProducer = false;
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            String name = topic.name() != null && !topic.name().isEmpty() ? topic.name() : names.name(cluster, topic.topicId());
            String pin = name == null ? null : guard.pinnedElsewhere(name, cluster);
            if (pin != null && refusedTopic == null) {
                refusedTopic = name;
                pinnedTo = pin;
            }
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name()).setTopicId(topic.topicId() == null ? Uuid.ZERO_UUID : topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                staleProducer |= !staleProducer && staleProducer(partition, guard);
                topicResponse.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partition.index()).setErrorCode(pin != null ? Errors.TOPIC_AUTHORIZATION_FAILED.code() : 0)
                        .setErrorMessage(pin != null ? "topic " + name + " is pinned to cluster " + pin + " and cluster " + cluster
                                + " is active" : null));
            }
            response.responses().add(topicResponse);
        }
        if (refusedTopic == null && !staleProducer) {
            return null;
        }
        Errors others = staleProducer ? Errors.OUT_OF_ORDER_SEQUENCE_NUMBER : Errors.NOT_LEADER_OR_FOLLOWER;
        response.responses().forEach(t -> t.partitionResponses().forEach(p -> {
            if (p.errorCode() == 0) {
                p.setErrorCode(others.code());
            }
        }));
        return new Refusal(refusedTopic, pinnedTo, frame(request.correlationId(), ApiKeys.PRODUCE, request.apiVersion(), response));
    }

    /** A produce request's body. Its records stay a view of the frame: nothing is copied. */
    static ProduceRequestData decodeProduce(RequestFrame request) {
        try {
            return new ProduceRequestData(new ByteBufferAccessor(request.body().duplicate()), request.apiVersion());
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable Produce v" + request.apiVersion() + " request: " + e.getMessage());
        }
    }

    /** Whether a partition's records come from an idempotent producer whose id predates the switch. */
    private static boolean staleProducer(ProduceRequestData.PartitionProduceData partition, SwitchGuard guard) {
        if (!guard.resequencesProducers() || !(partition.records() instanceof MemoryRecords records)) {
            return false;
        }
        for (MutableRecordBatch batch : records.batches()) {
            return batch.hasProducerId() && !batch.isTransactional() && guard.resequences(batch.producerId(), batch.producerEpoch());
        }
        return false;
    }

    /** Whether a produce response reports no error for any partition. */
    static boolean produceSucceeded(ByteBuf frame, short version) {
        ProduceResponseData response = new ProduceResponseData();
        response.read(readableBody(frame, ApiKeys.PRODUCE, version), version);
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream()).allMatch(p -> p.errorCode() == 0);
    }

    /** Whether a fetch response reports no error, at the top or for any partition. Records are skipped, not read. */
    static boolean fetchSucceeded(ByteBuf frame, short version) {
        FetchResponseData response = new FetchResponseData();
        response.read(readableBody(frame, ApiKeys.FETCH, version), version);
        return response.errorCode() == 0
                && response.responses().stream().flatMap(t -> t.partitions().stream()).allMatch(p -> p.errorCode() == 0);
    }

    private static RecordSkippingReadable readableBody(ByteBuf frame, ApiKeys api, short version) {
        RecordSkippingReadable readable = new RecordSkippingReadable(frame.slice(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX));
        new ResponseHeaderData(readable, api.responseHeaderVersion(version));
        return readable;
    }
}
