package dev.switchboard.datapath;

import static dev.switchboard.datapath.InMemoryGateway.correlationId;
import static dev.switchboard.datapath.InMemoryGateway.forwardedBody;
import static dev.switchboard.datapath.InMemoryGateway.forwardedHeader;
import static dev.switchboard.datapath.InMemoryGateway.request;
import static dev.switchboard.datapath.InMemoryGateway.response;
import static dev.switchboard.datapath.InMemoryGateway.responseBody;
import static dev.switchboard.support.TestInterceptors.onClose;
import static dev.switchboard.support.TestInterceptors.onRequests;
import static dev.switchboard.support.TestInterceptors.onResponses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * The interception layer's guarantees, step by step on in-memory channels: what reaches the cluster, what reaches
 * the client and in which order, and what closes.
 */
class InterceptionLayerTest {

    static final short FETCH_VERSION = 12;
    static final short LIST_OFFSETS_VERSION = 7;
    static final short PRODUCE_VERSION = 9;

    @Test
    void framesNoInterceptorWantsAreForwardedAsTheyArrivedAndNeverShown() {
        AtomicInteger shown = new AtomicInteger();
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("metadata-only", Interest.requests(ApiKeys.METADATA),
                (request, connection) -> {
                    shown.incrementAndGet();
                    return RequestAction.forward();
                })));
        EmbeddedChannel client = gateway.connect();
        ByteBuf fetch = fetch(1);
        ByteBuf sent = fetch.copy();

        client.writeInbound(fetch);

        ByteBuf forwarded = gateway.upstream(0).readOutbound();
        assertThat(ByteBufUtil.equals(forwarded, sent)).isTrue();
        forwarded.release();
        sent.release();
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1);
        assertThat(shown).hasValue(0);
        assertThat(fetch.refCnt()).isZero();
    }

    @Test
    void aLocalAnswerWaitsForTheResponsesToTheRequestsBeforeIt() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("answers-list-offsets", Interest.requests(ApiKeys.LIST_OFFSETS),
                (request, connection) -> RequestAction.answer(new ListOffsetsResponseData()))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(fetch(1), listOffsets(2), fetch(3));

        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(1, 3);
        assertThat(receivedCorrelationIds(client)).isEmpty();
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1, 2);
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 3, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(3);
    }

    @Test
    void aDelayedRequestHoldsTheRequestsBehindItWithoutBlockingTheEventLoop() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("slow-list-offsets", Interest.requests(ApiKeys.LIST_OFFSETS),
                (request, connection) -> RequestAction.delay(Duration.ofMillis(200), RequestAction.forward()))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(listOffsets(1), fetch(2));

        assertThat(forwardedCorrelationIds(gateway.upstream(0))).isEmpty();
        assertThat(client.config().isAutoRead()).as("the client is not read while a request waits").isFalse();
        client.advanceTimeBy(199, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).isEmpty();
        client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(1, 2);
        assertThat(client.config().isAutoRead()).isTrue();
    }

    @Test
    void aRequestWaitingOnAStageGoesOnWhenTheStageCompletes() {
        CompletableFuture<RequestAction> released = new CompletableFuture<>();
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("hold", Interest.requests(ApiKeys.LIST_OFFSETS),
                (request, connection) -> RequestAction.later(released))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(listOffsets(1), fetch(2));
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).isEmpty();

        released.complete(RequestAction.forward());
        client.runPendingTasks();
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(1, 2);
    }

    @Test
    void aDroppedRequestSilencesTheConnectionAfterTheResponsesBeforeIt() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("drops-list-offsets", Interest.requests(ApiKeys.LIST_OFFSETS),
                (request, connection) -> RequestAction.drop())));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(fetch(1), listOffsets(2), fetch(3));

        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(1);
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1);
        client.writeInbound(fetch(4));
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).isEmpty();
        assertThat(receivedCorrelationIds(client)).isEmpty();
        assertThat(client.isActive()).as("a dropped request leaves the connection open, as a hung broker would").isTrue();
    }

    @Test
    void anInterceptorClosesTheConnectionUnderItsOwnCause() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("outage", Interest.requests(ApiKeys.FETCH),
                (request, connection) -> RequestAction.close("chaos_outage", "the cluster looks down"))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(fetch(1));

        assertThat(client.isActive()).isFalse();
        assertThat(gateway.closed("chaos_outage")).isEqualTo(1.0);
    }

    @Test
    void anInterceptorThatThrowsClosesOnlyItsConnection() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("fragile", Interest.requests(ApiKeys.FETCH),
                (request, connection) -> {
                    if (connection.clientId().equals("doomed")) {
                        throw new IllegalStateException("boom");
                    }
                    return RequestAction.forward();
                })));
        EmbeddedChannel doomed = gateway.connect();
        EmbeddedChannel healthy = gateway.connect();

        doomed.writeInbound(request("doomed", ApiKeys.FETCH, FETCH_VERSION, 1, new FetchRequestData()));
        healthy.writeInbound(fetch(1));

        assertThat(doomed.isActive()).isFalse();
        assertThat(gateway.closed("interceptor_failed")).isEqualTo(1.0);
        assertThat(gateway.metrics.registry().find("switchboard.interceptor.failures").tag("interceptor", "fragile").counter().count())
                .isEqualTo(1.0);
        assertThat(healthy.isActive()).isTrue();
        assertThat(forwardedCorrelationIds(gateway.upstream(1))).containsExactly(1);
        gateway.upstream(1).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        assertThat(receivedCorrelationIds(healthy)).containsExactly(1);
    }

    @Test
    void everyInterceptorIsToldOnceThatItsConnectionClosedEvenAfterOneThrows() {
        AtomicInteger told = new AtomicInteger();
        InMemoryGateway gateway = new InMemoryGateway(List.of(onClose("throws-on-close", () -> {
            throw new IllegalStateException("boom");
        }), onClose("counts-closes", told::incrementAndGet)));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(fetch(1));

        client.close();
        client.close();

        assertThat(told).hasValue(1);
        assertThat(gateway.metrics.registry().find("switchboard.interceptor.failures").tag("interceptor", "throws-on-close")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void aDelayedResponseHoldsBackTheResponsesAfterItAndTheUpstreamIsNotRead() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onResponses("slow-answers", Interest.responses(ApiKeys.LIST_OFFSETS),
                (response, connection) -> ResponseAction.delay(Duration.ofMillis(100), ResponseAction.forward()))));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(listOffsets(1), fetch(2));
        forwardedCorrelationIds(gateway.upstream(0));

        gateway.upstream(0).writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 1, new ListOffsetsResponseData()));
        assertThat(gateway.upstream(0).config().isAutoRead()).isFalse();
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 2, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).isEmpty();

        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(receivedCorrelationIds(client)).containsExactly(1, 2);
        assertThat(gateway.upstream(0).config().isAutoRead()).isTrue();
    }

    @Test
    void aResponseChangedByAnInterceptorIsReencoded() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onResponses("marks-errors", Interest.responses(ApiKeys.LIST_OFFSETS),
                (response, connection) -> {
                    ((ListOffsetsResponseData) response.message()).setThrottleTimeMs(1234);
                    return ResponseAction.forwardModified();
                })));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(listOffsets(1));
        forwardedCorrelationIds(gateway.upstream(0));

        gateway.upstream(0).writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 1, new ListOffsetsResponseData()));

        ListOffsetsResponseData received = responseBody(client.readOutbound(), ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION,
                new ListOffsetsResponseData());
        assertThat(received.throttleTimeMs()).isEqualTo(1234);
    }

    @Test
    void aRequestChangedByAnInterceptorIsReencoded() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("shorter-waits", Interest.requests(ApiKeys.FETCH),
                (request, connection) -> {
                    ((FetchRequestData) request.message()).setMaxWaitMs(7);
                    return RequestAction.forwardModified();
                })));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(fetch(1));

        FetchRequestData sent = forwardedBody(gateway.upstream(0).readOutbound(), FETCH_VERSION, new FetchRequestData());
        assertThat(sent.maxWaitMs()).isEqualTo(7);
    }

    @Test
    void aProduceWithAcksZeroIsNeverAnsweredWhateverTheInterceptorSays() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("refuses-produce", Interest.requests(ApiKeys.PRODUCE),
                (request, connection) -> RequestAction.answerError(Errors.NOT_LEADER_OR_FOLLOWER, "moved"))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(produce(1, (short) 0), produce(2, (short) 1), fetch(3));
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(3);
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 3, new FetchResponseData()));

        ByteBuf refused = client.readOutbound();
        assertThat(correlationId(refused)).isEqualTo(2);
        ProduceResponseData answer = responseBody(refused, ApiKeys.PRODUCE, PRODUCE_VERSION, new ProduceResponseData());
        assertThat(answer.responses()).hasSize(1);
        assertThat(answer.responses().iterator().next().partitionResponses())
                .extracting(ProduceResponseData.PartitionProduceResponse::index, ProduceResponseData.PartitionProduceResponse::errorCode)
                .containsExactly(tuple(0, Errors.NOT_LEADER_OR_FOLLOWER.code()),
                        tuple(1, Errors.NOT_LEADER_OR_FOLLOWER.code()));
        assertThat(receivedCorrelationIds(client)).containsExactly(3);
    }

    @Test
    void theClientIsReadAgainOnceTheResponsesOwedFallBelowTheBound() {
        InMemoryGateway gateway = new InMemoryGateway(List.of());
        EmbeddedChannel client = gateway.connect();
        int owed = ResponseRelay.MAX_QUEUED + 5;
        for (int id = 1; id <= owed; id++) {
            client.writeInbound(fetch(id));
        }
        assertThat(client.config().isAutoRead()).as("not read while %d responses are owed", owed).isFalse();

        List<Integer> forwarded = forwardedCorrelationIds(gateway.upstream(0));
        for (int id : forwarded) {
            gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, id, new FetchResponseData()));
        }

        assertThat(forwarded).hasSize(owed);
        assertThat(receivedCorrelationIds(client)).hasSize(owed).isSorted();
        assertThat(client.config().isAutoRead()).as("read again once they were sent").isTrue();
    }

    @Test
    void anInterestThatThrowsClosesTheConnectionAsTheInterceptorsFailure() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(new InterceptorFactory() {
            @Override
            public String name() {
                return "no-interest";
            }

            @Override
            public Interceptor create(ConnectionContext connection) {
                return () -> {
                    throw new IllegalStateException("interest() is broken");
                };
            }
        }));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(fetch(1));

        assertThat(client.isActive()).isFalse();
        assertThat(gateway.closed("interceptor_failed")).isEqualTo(1.0);
    }

    @Test
    void anAnswerOfAnotherApiClosesTheConnectionInsteadOfSendingGarbage() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onRequests("confused", Interest.requests(ApiKeys.LIST_OFFSETS),
                (request, connection) -> RequestAction.answer(new FetchResponseData()))));
        EmbeddedChannel client = gateway.connect();

        client.writeInbound(listOffsets(1));

        assertThat(client.isActive()).isFalse();
        assertThat(gateway.closed("interceptor_failed")).isEqualTo(1.0);
        assertThat(receivedCorrelationIds(client)).isEmpty();
    }

    @Test
    void aResponseWhoseChangeCannotBeEncodedClosesTheConnection() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(onResponses("breaks-encoding", Interest.responses(ApiKeys.LIST_OFFSETS),
                (response, connection) -> {
                    // A v7 ListOffsets response has no room for a topic without a name.
                    ((ListOffsetsResponseData) response.message()).topics().add(new ListOffsetsResponseData.ListOffsetsTopicResponse()
                            .setName(null));
                    return ResponseAction.delay(Duration.ofMillis(10), ResponseAction.forwardModified());
                })));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(listOffsets(1), fetch(2));
        forwardedCorrelationIds(gateway.upstream(0));
        gateway.upstream(0).writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 1, new ListOffsetsResponseData()),
                response(ApiKeys.FETCH, FETCH_VERSION, 2, new FetchResponseData()));

        client.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        assertThat(client.isActive()).isFalse();
        assertThat(gateway.closed("interceptor_failed")).isEqualTo(1.0);
        assertThat(receivedCorrelationIds(client)).isEmpty();
    }

    // ---- requests and what comes out ----------------------------------------------------------------------------

    static ByteBuf fetch(int correlationId) {
        return request(ApiKeys.FETCH, FETCH_VERSION, correlationId, new FetchRequestData().setMaxWaitMs(500));
    }

    static ByteBuf listOffsets(int correlationId) {
        return request(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, correlationId, new ListOffsetsRequestData());
    }

    /** A produce to two partitions of topic {@code orders}. */
    static ByteBuf produce(int correlationId, short acks) {
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("orders");
        for (int partition = 0; partition < 2; partition++) {
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                    .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("record-" + partition).getBytes()))));
        }
        ProduceRequestData produce = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        produce.topicData().add(topic);
        return request(ApiKeys.PRODUCE, PRODUCE_VERSION, correlationId, produce);
    }

    static boolean isProduce(ByteBuf frame) {
        return frame.getShort(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX) == ApiKeys.PRODUCE.id;
    }

    /** The acks of a forwarded Produce request, read with the generated class; the frame is not consumed. */
    static short acks(ByteBuf frame) {
        return forwardedBody(frame.retainedDuplicate(), PRODUCE_VERSION, new ProduceRequestData()).acks();
    }

    static List<Integer> forwardedCorrelationIds(EmbeddedChannel upstream) {
        List<Integer> ids = new ArrayList<>();
        for (ByteBuf frame = upstream.readOutbound(); frame != null; frame = upstream.readOutbound()) {
            ids.add(forwardedHeader(frame).correlationId());
        }
        return ids;
    }

    /** The correlation ids of the frames the client got, in order; streamed responses arrive in several parts. */
    static List<Integer> receivedCorrelationIds(EmbeddedChannel client) {
        List<Integer> ids = new ArrayList<>();
        ResponseFrames frames = new ResponseFrames();
        for (ByteBuf part = client.readOutbound(); part != null; part = client.readOutbound()) {
            frames.add(part, ids);
        }
        return ids;
    }
}
