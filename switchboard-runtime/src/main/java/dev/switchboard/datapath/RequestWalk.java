package dev.switchboard.datapath;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One connection's requests on their way through the interceptors, and what the interceptors' decisions do: a forward
 * goes on to the next one and then upstream, an answer takes its slot in the {@link ResponseRelay}, a drop silences the
 * connection, a close closes it, a delay or a stage makes the connection wait and then goes on where it stopped.
 * Confined to the connection's event loop.
 */
final class RequestWalk {

    /** What the walk needs from its connection, whose state it changes only through these. */
    interface Connection {

        /** Hands a frame to the upstream connection; {@code expectsResponse} is false only for acks=0 produces. */
        void forward(ByteBuf frame, int correlationId, ApiKeys api, short version, long receivedNanos, boolean expectsResponse);

        /** The request waits on an interceptor: nothing else is handled until it goes on. */
        void waitOn(PendingRequest request, String interceptor);

        /** The wait of this request is over; false when the connection closed or moved on meanwhile. */
        boolean stopWaiting(PendingRequest request);

        /** Requests that arrived during a wait may be handled now. */
        void requestsResumed();

        /** Runs {@code resume} once the connection forwards to a cluster: now, or when it has moved to a new one. */
        void onceForwarding(Runnable resume);

        /** A dropped request: nothing after it is forwarded or answered. */
        void silence(String interceptor);

        void close(String cause, String reason);

        /** Closes the connection for a failure, naming the interceptor when one failed. */
        void fail(RuntimeException failure);

        EventLoop eventLoop();
    }

    private final DataPath dataPath;
    private final InterceptorChain chain;
    private final RoutedContext context;
    private final ResponseRelay relay;
    private final Connection connection;

    RequestWalk(DataPath dataPath, InterceptorChain chain, RoutedContext context, ResponseRelay relay, Connection connection) {
        this.dataPath = dataPath;
        this.chain = chain;
        this.context = context;
        this.relay = relay;
        this.connection = connection;
    }

    /** Starts a request's walk. Throws, leaving the request to the caller to release, when an interceptor fails. */
    void start(PendingRequest request) {
        proceed(request, RequestAction.forward());
    }

    /** Acts on what an interceptor decided, resuming the walk where a forward lets the request go on. */
    private void proceed(PendingRequest request, RequestAction decided) {
        RequestAction action = decided;
        if (action instanceof RequestAction.Forward forward) {
            if (forward.modified()) {
                request.markModified();
            }
            action = chain.walkRequest(request, context);
            if (action instanceof RequestAction.Forward) {
                connection.forward(request.frameToForward(), request.header().correlationId(), request.apiKey(),
                        request.apiVersion(), request.receivedNanos(), request.expectsResponse());
                return;
            }
        }
        String interceptor = chain.requestDecider(request);
        if (action instanceof RequestAction.Answer || action instanceof RequestAction.AnswerError) {
            answer(request, interceptor, action);
        } else if (action instanceof RequestAction.Drop) {
            drop(request, interceptor);
        } else if (action instanceof RequestAction.Close close) {
            dataPath.metrics().interceptorAction(interceptor, "close");
            request.release();
            connection.close(close.cause(), interceptor + ": " + close.reason());
        } else if (action instanceof RequestAction.Delay delay) {
            dataPath.metrics().interceptorAction(interceptor, "delay_request");
            connection.waitOn(request, interceptor);
            connection.eventLoop().schedule(() -> resume(request, interceptor, delay.then(), null),
                    delay.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else if (action instanceof RequestAction.Later later) {
            dataPath.metrics().interceptorAction(interceptor, "wait");
            connection.waitOn(request, interceptor);
            CompletionStage<RequestAction> stage = later.action();
            stage.whenComplete((next, error) -> connection.eventLoop().execute(() -> resume(request, interceptor, next, error)));
        } else if (action instanceof RequestAction.AskAgain again) {
            dataPath.metrics().interceptorAction(interceptor, "wait");
            connection.waitOn(request, interceptor);
            again.ready().whenComplete((ignored, error) -> connection.eventLoop().execute(() -> {
                request.nextInterceptor--; // the same interceptor again
                resume(request, interceptor, RequestAction.forward(), null);
            }));
        }
    }

    private void resume(PendingRequest request, String interceptor, RequestAction next, Throwable error) {
        connection.onceForwarding(() -> resumeNow(request, interceptor, next, error));
    }

    private void resumeNow(PendingRequest request, String interceptor, RequestAction next, Throwable error) {
        if (!connection.stopWaiting(request)) {
            return; // closed meanwhile, which released it
        }
        try {
            if (error != null || next == null) {
                throw new InterceptorChain.InterceptorFailure(interceptor, error != null ? error
                        : new NullPointerException("its stage completed with no action"));
            }
            proceed(request, next);
        } catch (RuntimeException e) {
            request.releaseIfUnsettled();
            connection.fail(e);
            return;
        }
        connection.requestsResumed();
    }

    /** A local answer; an {@code acks=0} produce is never answered, as a broker would not answer it. */
    private void answer(PendingRequest request, String interceptor, RequestAction answer) {
        dataPath.metrics().interceptorAction(interceptor, "answer");
        if (!request.expectsResponse()) {
            request.release();
            return;
        }
        ApiMessage response = answer instanceof RequestAction.Answer given ? given.response()
                : request.errorResponse((RequestAction.AnswerError) answer);
        if (response.apiKey() != request.apiKey().id) {
            throw new InterceptorChain.InterceptorFailure(interceptor, new IllegalArgumentException("answered a "
                    + request.apiKey().name + " request with a " + response.getClass().getSimpleName()));
        }
        ByteBuf frame;
        try {
            frame = DecodedResponse.frame(request.header().correlationId(), request.apiKey(), request.apiVersion(), response);
        } catch (RuntimeException e) {
            throw new InterceptorChain.InterceptorFailure(interceptor, e);
        }
        request.release();
        relay.answered(request.header().correlationId(), request.apiKey(), request.apiVersion(), request.receivedNanos(), frame);
    }

    private void drop(PendingRequest request, String interceptor) {
        dataPath.metrics().interceptorAction(interceptor, "drop");
        boolean expectsResponse = request.expectsResponse();
        request.release();
        if (!expectsResponse) {
            return; // nothing was owed, so nothing after it needs silencing
        }
        relay.dropped(request);
        connection.silence(interceptor);
    }
}
