package dev.switchboard.datapath;

import static dev.switchboard.datapath.InMemoryGateway.forwardedHeader;
import static dev.switchboard.datapath.InMemoryGateway.request;
import static dev.switchboard.datapath.InMemoryGateway.response;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import dev.switchboard.support.LeakDetection;
import dev.switchboard.support.TestInterceptors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Random interceptor outcomes over random request sequences. Whatever the interceptors do, the client gets its
 * responses in the order of its requests, each correlation id once, never one for an {@code acks=0} produce; nothing
 * after a dropped request; every frame is released; and only the connection whose interceptor closed it or threw
 * closes.
 */
class InterceptionLayerPropertyTest {

    /** What the interceptor does with one request, and then with its response. */
    enum Outcome {
        FORWARD, MODIFY, ANSWER, ANSWER_ERROR, DELAY_THEN_FORWARD, DELAY_THEN_ANSWER, WAIT_THEN_FORWARD, DROP, CLOSE, THROW,
        DELAY_RESPONSE, MODIFY_RESPONSE, DROP_RESPONSE, THROW_ON_RESPONSE;

        /** Whether it ends the connection, so what was still owed to the client may never arrive. */
        boolean closes() {
            return this == CLOSE || this == THROW || this == THROW_ON_RESPONSE;
        }
    }

    enum Kind { FETCH, LIST_OFFSETS, PRODUCE_ACKS_0, PRODUCE_ACKS_1 }

    /**
     * One request. {@code pauseMillis} passes before it is sent, so delays scheduled earlier may come due while
     * requests are still arriving, as on a busy machine.
     */
    record Step(Kind kind, Outcome outcome, boolean upstreamAnswersNow, int pauseMillis) {
    }

    @AfterContainer
    static void noBufferLeaked() throws InterruptedException {
        LeakDetection.assertNoLeaks("InterceptionLayerPropertyTest");
    }

    @Property(tries = 1000)
    void responsesKeepRequestOrderAndNothingLeaks(@ForAll("steps") List<Step> steps) {
        Map<Integer, Outcome> outcomes = new HashMap<>();
        List<CompletableFuture<RequestAction>> waiting = new ArrayList<>();
        InMemoryGateway gateway = new InMemoryGateway(List.of(TestInterceptors.of("random",
                Interest.requests(ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.PRODUCE)
                        .andResponses(ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.PRODUCE),
                (request, connection) -> onRequest(connection.clientId(), outcomes.get(request.header().correlationId()),
                        request.apiKey(), waiting),
                (response, connection) -> onResponse(connection.clientId(), outcomes.get(response.correlationId())))));
        List<ByteBuf> sent = new ArrayList<>();
        EmbeddedChannel client = gateway.connect();
        // Only the test moves time, so a run does what its sample says however slow the machine.
        client.freezeTime();
        EmbeddedChannel bystander = gateway.connect();
        List<Integer> received = new ArrayList<>();
        List<Integer> bystanderReceived = new ArrayList<>();
        ResponseFrames clientFrames = new ResponseFrames();
        ResponseFrames bystanderFrames = new ResponseFrames();

        bystander.writeInbound(track(sent, request("bystander", ApiKeys.FETCH, InterceptionLayerTest.FETCH_VERSION, 0,
                new FetchRequestData())));
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            int correlationId = i + 1;
            outcomes.put(correlationId, step.outcome());
            client.advanceTimeBy(step.pauseMillis(), TimeUnit.MILLISECONDS);
            if (client.isActive()) {
                client.writeInbound(track(sent, requestOf(step.kind(), correlationId)));
            }
            if (step.upstreamAnswersNow()) {
                tick(gateway, client, sent, waiting);
            }
            drain(client, clientFrames, received);
        }
        for (int i = 0; i < 10; i++) {
            tick(gateway, client, sent, waiting);
            drain(client, clientFrames, received);
        }
        drain(bystander, bystanderFrames, bystanderReceived);

        Expected expected = expected(steps);
        // The sample goes into every message: CI shows the assertion, not jqwik's report.
        String sample = "steps " + steps;
        assertThat(gateway.upstreamCount()).as("one upstream for each connection, %s", sample).isEqualTo(2);
        if (client.isActive()) {
            assertThat(expected.mayStayOpen()).as("the connection stays open only if nothing closed it, %s", sample).isTrue();
            assertThat(received).as(sample).containsExactlyElementsOf(expected.responses());
        } else {
            assertThat(expected.mayClose()).as("the connection closes only when an interceptor closed it or threw, %s", sample)
                    .isTrue();
            // Responses still owed when it closed are lost with the connection, so the client got a prefix of them.
            assertThat(received.size()).as(sample).isLessThanOrEqualTo(expected.responses().size());
            assertThat(received).as(sample).isEqualTo(expected.responses().subList(0, received.size()));
        }
        assertThat(bystander.isActive()).isTrue();
        assertThat(bystanderReceived).containsExactly(0);

        client.finishAndReleaseAll();
        bystander.finishAndReleaseAll();
        for (int i = 0; i < 2; i++) {
            gateway.upstream(i).finishAndReleaseAll();
        }
        assertThat(sent).allSatisfy(buffer -> assertThat(buffer.refCnt()).as("a frame the gateway was given is released").isZero());
    }

    private static RequestAction onRequest(String clientId, Outcome outcome, ApiKeys api,
                                           List<CompletableFuture<RequestAction>> waiting) {
        if (clientId.equals("bystander")) {
            return RequestAction.forward();
        }
        return switch (outcome) {
            case MODIFY -> RequestAction.forwardModified();
            case ANSWER -> RequestAction.answer(emptyResponse(api));
            case ANSWER_ERROR -> RequestAction.answerError(Errors.NOT_LEADER_OR_FOLLOWER, "moved");
            case DELAY_THEN_FORWARD -> RequestAction.delay(Duration.ofMillis(30), RequestAction.forward());
            case DELAY_THEN_ANSWER -> RequestAction.delay(Duration.ofMillis(70), RequestAction.answer(emptyResponse(api)));
            case WAIT_THEN_FORWARD -> {
                CompletableFuture<RequestAction> stage = new CompletableFuture<>();
                waiting.add(stage);
                yield RequestAction.later(stage);
            }
            case DROP -> RequestAction.drop();
            case CLOSE -> RequestAction.close("test_close", "the test says so");
            case THROW -> throw new IllegalStateException("interceptor bug");
            default -> RequestAction.forward();
        };
    }

    private static ResponseAction onResponse(String clientId, Outcome outcome) {
        if (clientId.equals("bystander")) {
            return ResponseAction.forward();
        }
        return switch (outcome) {
            case DELAY_RESPONSE -> ResponseAction.delay(Duration.ofMillis(50), ResponseAction.forward());
            case MODIFY_RESPONSE -> ResponseAction.forwardModified();
            case DROP_RESPONSE -> ResponseAction.drop();
            case THROW_ON_RESPONSE -> throw new IllegalStateException("interceptor bug on a response");
            default -> ResponseAction.forward();
        };
    }

    private static ApiMessage emptyResponse(ApiKeys api) {
        return switch (api) {
            case FETCH -> new FetchResponseData();
            case LIST_OFFSETS -> new ListOffsetsResponseData();
            default -> new ProduceResponseData();
        };
    }

    /**
     * What the client must get: the correlation ids owed before the first step that drops or closes. Whether a close
     * after a response-side outcome happens depends on when that response arrives, so both ends may be allowed.
     */
    record Expected(List<Integer> responses, boolean mayStayOpen, boolean mayClose) {
    }

    private static Expected expected(List<Step> steps) {
        List<Integer> owed = new ArrayList<>();
        int first = 0;
        while (first < steps.size() && !terminal(steps.get(first))) {
            if (steps.get(first).kind() != Kind.PRODUCE_ACKS_0) {
                owed.add(first + 1);
            }
            first++;
        }
        if (first == steps.size()) {
            return new Expected(owed, true, false);
        }
        Outcome outcome = steps.get(first).outcome();
        boolean closesLater = steps.subList(first + 1, steps.size()).stream().anyMatch(step -> step.outcome().closes());
        return switch (outcome) {
            case CLOSE, THROW -> new Expected(owed, false, true);
            case DROP -> new Expected(owed, true, false);
            // A request after it may drop (and so silence) before this response arrives, or close before.
            case THROW_ON_RESPONSE -> new Expected(owed, true, true);
            default -> new Expected(owed, true, closesLater);
        };
    }

    /** Whether a step ends what the client gets: a drop, or a close, of something that is answered. */
    private static boolean terminal(Step step) {
        Outcome outcome = step.outcome();
        if (outcome == Outcome.CLOSE || outcome == Outcome.THROW) {
            return true;
        }
        if (step.kind() == Kind.PRODUCE_ACKS_0) {
            return false; // never answered, so never dropped, and its response side never runs
        }
        return outcome == Outcome.DROP || outcome == Outcome.DROP_RESPONSE || outcome == Outcome.THROW_ON_RESPONSE;
    }

    /** Time passes, what waits is let go, and the broker answers everything forwarded so far, in order. */
    private static void tick(InMemoryGateway gateway, EmbeddedChannel client, List<ByteBuf> sent,
                             List<CompletableFuture<RequestAction>> waiting) {
        List<CompletableFuture<RequestAction>> due = List.copyOf(waiting);
        waiting.clear();
        due.forEach(stage -> stage.complete(RequestAction.forward()));
        client.advanceTimeBy(40, TimeUnit.MILLISECONDS);
        client.runPendingTasks();
        client.runScheduledPendingTasks();
        answer(gateway.upstream(0), sent);
        answer(gateway.upstream(1), sent);
    }

    private static void answer(EmbeddedChannel upstream, List<ByteBuf> sent) {
        for (ByteBuf frame = upstream.readOutbound(); frame != null; frame = upstream.readOutbound()) {
            boolean answered = !(InterceptionLayerTest.isProduce(frame) && InterceptionLayerTest.acks(frame) == 0);
            RequestHeader header = forwardedHeader(frame);
            if (!upstream.isOpen() || !answered) {
                continue; // as a broker, which never answers acks=0
            }
            ApiKeys api = header.apiKey();
            upstream.writeInbound(track(sent, response(api, header.apiVersion(), header.correlationId(), emptyResponse(api))));
        }
    }

    private static void drain(EmbeddedChannel channel, ResponseFrames frames, List<Integer> into) {
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            frames.add(part, into);
        }
    }

    private static ByteBuf track(List<ByteBuf> sent, ByteBuf buffer) {
        sent.add(buffer);
        return buffer;
    }

    private static ByteBuf requestOf(Kind kind, int correlationId) {
        return switch (kind) {
            case FETCH -> InterceptionLayerTest.fetch(correlationId);
            case LIST_OFFSETS -> InterceptionLayerTest.listOffsets(correlationId);
            case PRODUCE_ACKS_0 -> InterceptionLayerTest.produce(correlationId, (short) 0);
            case PRODUCE_ACKS_1 -> InterceptionLayerTest.produce(correlationId, (short) 1);
        };
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Outcome> outcomes = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(Outcome.FORWARD)),
                Tuple.of(6, Arbitraries.of(Outcome.MODIFY, Outcome.ANSWER, Outcome.ANSWER_ERROR,
                        Outcome.DELAY_THEN_FORWARD, Outcome.DELAY_THEN_ANSWER, Outcome.WAIT_THEN_FORWARD, Outcome.DELAY_RESPONSE,
                        Outcome.MODIFY_RESPONSE)),
                Tuple.of(1, Arbitraries.of(Outcome.DROP, Outcome.CLOSE, Outcome.THROW, Outcome.DROP_RESPONSE,
                        Outcome.THROW_ON_RESPONSE)));
        Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Kind.class), outcomes, Arbitraries.of(true, false, false),
                Arbitraries.of(0, 0, 0, 20, 45, 80)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }
}
