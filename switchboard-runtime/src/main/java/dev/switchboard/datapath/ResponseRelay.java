package dev.switchboard.datapath;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import dev.switchboard.datapath.rewrite.FetchTailRewriter;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a connection sends to its client, in the order of the client's requests: responses from upstream, as
 * they stream in or gathered whole, and the gateway's own answers.
 *
 * <p>Every request that will be answered takes a {@link Slot} in {@link #order}. A slot's response goes out only
 * once every slot before it has gone, so correlation ids reach the client in request order whatever the interceptors
 * do. An upstream response at the head of the order, which nobody needs to decode, streams through as its bytes
 * arrive. One that must be decoded, or that must wait for an earlier slot, is gathered whole; while a response is
 * delayed by an interceptor the upstream connection is not read, so what waits behind it is bounded.
 *
 * <p>A dropped request's slot silences the connection once it reaches the head: nothing after it is sent.
 */
final class ResponseRelay {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseRelay.class);

    /** The largest Fetch response gathered to translate node ids inside it. */
    private static final int TRANSLATED_FETCH_MAX_BYTES = 1024 * 1024;
    /** Beyond this many unanswered requests the client is not read until some are answered. */
    static final int MAX_QUEUED = 1024;

    /** What a slot stands for. */
    enum Kind { UPSTREAM, LOCAL, SILENCE }

    /** One response the client will get, or the point after which it gets none. */
    static final class Slot {
        /** Becomes SILENCE when an interceptor drops the response. */
        Kind kind;
        final int correlationId;
        final ApiKeys api;
        final short version;
        final long receivedNanos;
        final long forwardedNanos;
        /** The frame to send once this slot reaches the head; null until the response is ready. */
        ByteBuf ready;
        /** An interceptor is delaying this response. */
        boolean delayed;
        /** The response while it is delayed, held here so that a close releases it at once. */
        ByteBuf delayedFrame;
        /** Decided when the response's header arrived: whether rewriters, and interceptors, want it decoded. */
        boolean rewritten;
        boolean intercepted;
        long arrivedNanos;

        Slot(Kind kind, int correlationId, ApiKeys api, short version, long receivedNanos, long forwardedNanos) {
            this.kind = kind;
            this.correlationId = correlationId;
            this.api = api;
            this.version = version;
            this.receivedNanos = receivedNanos;
            this.forwardedNanos = forwardedNanos;
        }
    }

    /** What the relay needs from its connection. */
    interface Owner {
        void close(String cause, String reason);

        /** The relay's view of whether either side may be read has changed. */
        void readinessChanged();

        /** A dropped request's or response's turn came: nothing more goes to the client. */
        void silenced();

        /** Every request forwarded so far is answered and sent: the relay is {@link #idle()}. */
        void answeredAll();
    }

    private final DataPath dataPath;
    private final Channel client;
    private final InterceptorChain chain;
    private final RoutedContext context;
    private final Owner owner;
    private final ArrayDeque<Slot> order = new ArrayDeque<>();
    /** The upstream slots whose response has not begun to arrive, in the order the cluster answers them. */
    private final ArrayDeque<Slot> awaitingUpstream = new ArrayDeque<>();
    /** The response being streamed through, if any, and what its metrics need. */
    private Slot streaming;
    private boolean discardingStream;
    private int streamingBytes;
    private long streamingGatewayNanos;
    private boolean silenced;
    private boolean closed;
    /** What {@link #acceptsRequests} and {@link #acceptsResponses} said when the owner was last told. */
    private boolean acceptedRequests = true;
    private boolean acceptedResponses = true;

    ResponseRelay(DataPath dataPath, Channel client, InterceptorChain chain, RoutedContext context, Owner owner) {
        this.dataPath = dataPath;
        this.client = client;
        this.chain = chain;
        this.context = context;
        this.owner = owner;
    }

    // ---- what the request side tells the relay -----------------------------------------------------------------

    void forwarded(int correlationId, ApiKeys api, short version, long receivedNanos, long forwardedNanos) {
        Slot slot = new Slot(Kind.UPSTREAM, correlationId, api, version, receivedNanos, forwardedNanos);
        order.add(slot);
        awaitingUpstream.add(slot);
        checkReadiness();
    }

    /** A response the gateway made itself; it goes out after every response before it. */
    void answered(int correlationId, ApiKeys api, short version, long receivedNanos, ByteBuf response) {
        Slot slot = new Slot(Kind.LOCAL, correlationId, api, version, receivedNanos, receivedNanos);
        slot.ready = response;
        order.add(slot);
        sendReady();
    }

    /** A request that will never be answered: the connection goes silent once everything before it is sent. */
    void dropped(PendingRequest request) {
        order.add(new Slot(Kind.SILENCE, request.header().correlationId(), request.apiKey(), request.apiVersion(),
                request.receivedNanos(), request.receivedNanos()));
        sendReady();
    }

    void flushClient() {
        if (client.isActive()) {
            client.flush();
        }
    }

    /** Nothing is owed to the client or awaited from upstream. */
    boolean idle() {
        return order.isEmpty() && streaming == null && awaitingUpstream.isEmpty();
    }

    /** Whether the client may be read: not while too many of its requests wait for answers. */
    boolean acceptsRequests() {
        return order.size() < MAX_QUEUED;
    }

    /**
     * Whether the upstream may be read: not while the response at the head of the order waits on an interceptor's
     * delay, since what arrives meanwhile could only be gathered and held.
     */
    boolean acceptsResponses() {
        Slot head = order.peek();
        return head == null || !head.delayed;
    }

    /** Tells the owner when either answer above changed; called after every change to the order. */
    private void checkReadiness() {
        boolean requests = acceptsRequests();
        boolean responses = acceptsResponses();
        if (requests != acceptedRequests || responses != acceptedResponses) {
            acceptedRequests = requests;
            acceptedResponses = responses;
            owner.readinessChanged();
        }
        if (idle()) {
            owner.answeredAll();
        }
    }

    // ---- upstream side, from ResponseStreamDecoder ----------------------------------------------------------------

    /**
     * How the response with this correlation id is received. Returns null, having closed the connection, when it does
     * not answer the next request in flight.
     */
    ResponseStreamDecoder.Mode receiveMode(int correlationId, int size) {
        if (closed) {
            return ResponseStreamDecoder.Mode.STREAM; // bytes are dropped once closed
        }
        Slot slot = awaitingUpstream.peek();
        if (slot == null || slot.correlationId != correlationId) {
            owner.close("upstream_protocol_error", "upstream sent a response with correlation id " + correlationId
                    + " but the next request in flight is " + (slot == null ? "none" : slot.correlationId));
            return null;
        }
        if (slot.api == ApiKeys.PRODUCE && context.clusterName() != null) {
            // Measured here, as the response begins to arrive: before any interceptor could delay it.
            dataPath.metrics().upstreamProduceAnswered(context.clusterName(), System.nanoTime() - slot.forwardedNanos);
        }
        int frameBytes = KafkaFrameDecoder.SIZE_PREFIX + size;
        if (silenced) {
            awaitingUpstream.poll();
            startStream(slot, frameBytes, true);
            return ResponseStreamDecoder.Mode.STREAM;
        }
        try {
            slot.intercepted = chain.wantsResponse(slot.api, frameBytes);
            // A Fetch response decoded for an interceptor never passes the tail rewrite, so its endpoints are
            // rewritten in the decoded message, before any interceptor sees them.
            slot.rewritten = dataPath.rewriters().interestedIn(slot.api, slot.version) || translatesFetch(slot, frameBytes)
                    || (slot.intercepted && FetchTailRewriter.appliesTo(slot.api, slot.version));
        } catch (RuntimeException e) {
            fail(e);
            return null;
        }
        if (slot.rewritten || slot.intercepted || order.peek() != slot || streaming != null) {
            return ResponseStreamDecoder.Mode.BUFFER;
        }
        awaitingUpstream.poll();
        order.poll();
        checkReadiness();
        startStream(slot, frameBytes, false);
        return FetchTailRewriter.appliesTo(slot.api, slot.version)
                ? ResponseStreamDecoder.Mode.STREAM_WITH_TAIL : ResponseStreamDecoder.Mode.STREAM;
    }

    private void startStream(Slot slot, int frameBytes, boolean discard) {
        streaming = slot;
        discardingStream = discard;
        streamingBytes = frameBytes;
    }

    /**
     * Behind a cluster whose node ids are not the virtual ones, the ids inside Fetch responses must change, so those
     * small enough to hold are gathered. Bigger ones stream as they are: a leader id inside them may be the
     * cluster's own, and the client then finds the leader by a metadata refresh.
     */
    private boolean translatesFetch(Slot slot, int frameBytes) {
        return slot.api == ApiKeys.FETCH && frameBytes <= TRANSLATED_FETCH_MAX_BYTES && !context.identityNodeIds();
    }

    /** The first bytes of a streamed response: its size and correlation id. */
    void streamStart(ByteBuf start, boolean complete) {
        if (closed || discardingStream) {
            start.release();
        } else {
            long arrived = System.nanoTime();
            client.write(start, client.voidPromise());
            streamingGatewayNanos = (streaming.forwardedNanos - streaming.receivedNanos) + (System.nanoTime() - arrived);
        }
        if (complete) {
            streamEnd();
        }
    }

    void streamPart(ByteBuf part, boolean last) {
        if (closed || discardingStream) {
            part.release();
        } else {
            client.write(part, client.voidPromise());
        }
        if (last) {
            streamEnd();
        }
    }

    /**
     * The end of a response streamed with its tail held back: the whole response, for inspection, and the tail,
     * which goes out as it came or rewritten to the same length.
     */
    void streamTail(ByteBuf whole, ByteBuf tail) {
        try {
            if (closed || discardingStream) {
                tail.release();
                streamEnd();
                return;
            }
            FetchTailRewriter.Tail rewritten;
            try {
                rewritten = FetchTailRewriter.rewrite(whole, streaming.version, context);
            } catch (RuntimeException e) {
                tail.release();
                owner.close(CloseCause.label(e), "cannot inspect " + streaming.api.name + " response: "
                        + CloseCause.describe(e));
                return;
            }
            if (rewritten == null) {
                client.write(tail, client.voidPromise());
            } else if (rewritten.length() > tail.readableBytes()) {
                tail.release();
                rewritten.replacement().release();
                owner.close("upstream_protocol_error", "a " + rewritten.length() + "-byte Fetch tail exceeds the "
                        + ResponseStreamDecoder.HELD_BACK_BYTES + " bytes held back");
                return;
            } else {
                client.write(tail.retainedSlice(tail.readerIndex(), tail.readableBytes() - rewritten.length()), client.voidPromise());
                tail.release();
                client.write(rewritten.replacement(), client.voidPromise());
                tailRewritten(rewritten);
            }
            streamEnd();
        } finally {
            whole.release();
        }
    }

    private void tailRewritten(FetchTailRewriter.Tail rewritten) {
        dataPath.metrics().responseRewritten(ApiKeys.FETCH);
        if (!rewritten.endpointsKept()) {
            LOG.debug("Leader endpoints dropped from a Fetch response: the gateway's addresses do not fit; "
                    + "client={} will refresh metadata", context.clientAddress());
        }
    }

    private void streamEnd() {
        Slot done = streaming;
        streaming = null;
        if (!discardingStream && !closed) {
            dataPath.metrics().responseSent(done.api, streamingBytes, System.nanoTime() - done.receivedNanos,
                    streamingGatewayNanos);
        }
        discardingStream = false;
        sendReady();
    }

    /** A whole response: decoded for the rewriters and interceptors that want it, then sent in its turn. */
    void onResponse(ByteBuf frame) {
        Slot slot = awaitingUpstream.poll();
        if (closed || silenced || slot == null) {
            frame.release();
            return;
        }
        slot.arrivedNanos = System.nanoTime();
        int frameBytes = frame.readableBytes();
        boolean rewrites = slot.rewritten;
        if (!rewrites && !slot.intercepted) {
            // Gathered only because it had to wait its turn: it goes out as it came, but for a Fetch tail.
            ByteBuf sendable = FetchTailRewriter.appliesTo(slot.api, slot.version) ? withFetchTailRewritten(slot, frame) : frame;
            if (sendable != null) {
                ready(slot, sendable);
            }
            return;
        }
        DecodedResponse decoded;
        boolean changed;
        try {
            decoded = DecodedResponse.decode(frame, slot.api, slot.version);
            changed = rewrites && dataPath.rewriters().rewrite(slot.api, decoded.version(), decoded.message(), context);
        } catch (RuntimeException e) {
            frame.release();
            owner.close(CloseCause.label(e), "cannot rewrite " + slot.api.name + " response: " + CloseCause.describe(e));
            return;
        }
        if (changed) {
            dataPath.metrics().responseRewritten(slot.api);
        }
        continueResponse(slot, frame, decoded, frameBytes, chain.size(), changed);
    }

    /**
     * A whole Fetch response with its tail rewritten as a streamed one's would be, so that its leader endpoints name
     * the gateway. Takes the frame; returns null, having closed the connection, when the response cannot be read.
     */
    private ByteBuf withFetchTailRewritten(Slot slot, ByteBuf frame) {
        FetchTailRewriter.Tail rewritten;
        try {
            rewritten = FetchTailRewriter.rewrite(frame, slot.version, context);
        } catch (RuntimeException e) {
            frame.release();
            owner.close(CloseCause.label(e), "cannot inspect " + slot.api.name + " response: " + CloseCause.describe(e));
            return null;
        }
        if (rewritten == null) {
            return frame;
        }
        CompositeByteBuf sendable = client.alloc().compositeBuffer(2);
        sendable.addComponent(true, frame.retainedSlice(frame.readerIndex(), frame.readableBytes() - rewritten.length()));
        sendable.addComponent(true, rewritten.replacement());
        frame.release();
        tailRewritten(rewritten);
        return sendable;
    }

    /** Walks the response through the interceptors before {@code from}, and acts on where the walk stops. */
    private void continueResponse(Slot slot, ByteBuf frame, DecodedResponse decoded, int frameBytes, int from, boolean changed) {
        InterceptorChain.ResponseWalk walk;
        try {
            walk = chain.walkResponse(decoded, from, frameBytes, context);
        } catch (RuntimeException e) {
            frame.release();
            fail(e);
            return;
        }
        act(slot, frame, decoded, frameBytes, walk.action(), walk, changed || walk.modified());
    }

    private void act(Slot slot, ByteBuf frame, DecodedResponse decoded, int frameBytes, ResponseAction action,
                     InterceptorChain.ResponseWalk walk, boolean changed) {
        if (closed) {
            frame.release();
            return;
        }
        if (action instanceof ResponseAction.Forward forward) {
            boolean modified = changed || forward.modified();
            if (walk.decider() != null) {
                // Delayed by an interceptor, then forwarded: the interceptors before it have yet to see it.
                continueResponse(slot, frame, decoded, frameBytes, walk.at(), modified);
            } else if (modified) {
                ByteBuf encoded;
                try {
                    encoded = reencode(frame, decoded);
                } catch (RuntimeException e) {
                    fail(new InterceptorChain.InterceptorFailure("response-encoding", e));
                    return;
                }
                ready(slot, encoded);
            } else {
                ready(slot, frame);
            }
        } else if (action instanceof ResponseAction.Delay delay) {
            dataPath.metrics().interceptorAction(walk.decider(), "delay_response");
            slot.delayed = true;
            slot.delayedFrame = frame;
            checkReadiness();
            client.eventLoop().schedule(() -> {
                if (slot.delayedFrame == null) {
                    return; // released by a close meanwhile
                }
                slot.delayedFrame = null;
                slot.delayed = false;
                try {
                    act(slot, frame, decoded, frameBytes, delay.then(), walk, changed);
                } catch (RuntimeException e) {
                    fail(e); // each path of act() that can fail has released the frame already
                }
                checkReadiness();
            }, delay.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else if (action instanceof ResponseAction.Drop) {
            dataPath.metrics().interceptorAction(walk.decider(), "drop_response");
            frame.release();
            slot.kind = Kind.SILENCE;
            sendReady();
        } else if (action instanceof ResponseAction.Close close) {
            dataPath.metrics().interceptorAction(walk.decider(), "close");
            frame.release();
            owner.close(close.cause(), walk.decider() + ": " + close.reason());
        }
    }

    private static ByteBuf reencode(ByteBuf frame, DecodedResponse decoded) {
        try {
            return decoded.encode();
        } finally {
            frame.release();
        }
    }

    private void ready(Slot slot, ByteBuf frame) {
        slot.ready = frame;
        sendReady();
    }

    /** Sends every ready response at the head of the order, until one is not ready, or the connection goes silent. */
    private void sendReady() {
        if (closed || streaming != null) {
            return;
        }
        boolean sent = false;
        while (!order.isEmpty()) {
            Slot head = order.peek();
            if (head.kind == Kind.SILENCE) {
                silence();
                break;
            }
            if (head.ready == null || head.delayed) {
                break;
            }
            order.poll();
            int bytes = head.ready.readableBytes();
            client.write(head.ready, client.voidPromise());
            head.ready = null;
            sent = true;
            if (head.kind == Kind.UPSTREAM) {
                long now = System.nanoTime();
                dataPath.metrics().responseSent(head.api, bytes, now - head.receivedNanos,
                        (head.forwardedNanos - head.receivedNanos) + (now - head.arrivedNanos));
            }
        }
        if (sent) {
            client.flush();
        }
        checkReadiness();
    }

    private void silence() {
        silenced = true;
        LOG.debug("Connection of client={} silenced: a dropped request's turn came, so nothing after it is answered",
                context.clientAddress());
        releaseOrder("dropped");
        owner.silenced();
    }

    /** Closes the connection for a failure on the response side, naming the interceptor when one failed. */
    private void fail(RuntimeException e) {
        if (e instanceof InterceptorChain.InterceptorFailure failure) {
            dataPath.metrics().interceptorFailed(failure.interceptor());
            LOG.debug("Interceptor {} failed on a response to client={}", failure.interceptor(), context.clientAddress(), failure);
        }
        owner.close(CloseCause.label(e), CloseCause.describe(e));
    }

    /** The connection closed: every response still owed is counted as failed with {@code cause}. */
    void close(String cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (streaming != null && !discardingStream) {
            dataPath.metrics().requestFailed(streaming.api, cause);
        }
        releaseOrder(cause);
        awaitingUpstream.clear();
    }

    private void releaseOrder(String cause) {
        for (Slot slot : order) {
            if (slot.ready != null) {
                slot.ready.release();
                slot.ready = null;
            }
            if (slot.delayedFrame != null) {
                slot.delayedFrame.release();
                slot.delayedFrame = null;
            }
            if (slot.kind != Kind.SILENCE) {
                dataPath.metrics().requestFailed(slot.api, cause);
            }
        }
        order.clear();
    }
}
