package dev.switchboard.datapath;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.Future;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.HostPort;
import dev.switchboard.datapath.rewrite.FetchTailRewriter;
import dev.switchboard.datapath.rewrite.RewriteContext;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and the upstream connection that serves it.
 *
 * <pre>
 *   Accepted ──first request──▶ Connecting ──upstream ready──▶ Forwarding ──either side closes──▶ Closed
 *      │                           │                              │
 *      └───────────────────────────┴──client leaves, protocol error, upstream unreachable──────▶ Closed
 * </pre>
 *
 * <ul>
 *   <li>{@link Accepted}: no upstream yet. A connection that never sends a request (a load balancer's health
 *       check, an idle client) costs one socket, not two.</li>
 *   <li>{@link Connecting}: the first request has arrived and the upstream connection is being opened for the
 *       cluster active at that moment: connected, then through its TLS handshake and SASL authentication if the
 *       cluster uses them. The client is not read meanwhile; the few frames that arrived with the first one
 *       wait in order.</li>
 *   <li>{@link Forwarding}: each request is forwarded as the frame that arrived; the response queue keeps
 *       per-connection order, which Kafka guarantees, so correlation ids are never renumbered.</li>
 *   <li>{@link Closed}: terminal. The reason is logged once; requests still in flight are counted as failed.</li>
 * </ul>
 *
 * <p>Both channels run on one event loop, so all fields are confined to it. Backpressure: while one side
 * cannot take more writes, the gateway stops reading from the other.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements RewriteContext {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    sealed interface State permits Accepted, Connecting, Forwarding, Closed {
    }

    record Accepted() implements State {
    }

    /**
     * {@code target} is null while the address of the client's node is being discovered; {@code upstream}
     * is null until then too, and completes when the upstream connection is ready to forward.
     */
    record Connecting(UpstreamCluster cluster, HostPort target, Future<Channel> upstream) implements State {
    }

    record Forwarding(UpstreamCluster cluster, HostPort target, Channel upstream) implements State {
    }

    record Closed(String cause, String reason) implements State {
    }

    private final DataPath dataPath;
    private final Listener listener;
    private final Instant openedAt = Instant.now();
    private final ArrayDeque<InFlightRequest> inFlight = new ArrayDeque<>();
    /** Requests that arrived before the upstream connection was ready. */
    private final ArrayDeque<RequestFrame> pending = new ArrayDeque<>();
    private final NegotiatedVersions versions = new NegotiatedVersions();
    private Channel channel;
    /** The response being streamed through, if any, and what its metrics need. */
    private InFlightRequest streaming;
    private int streamingBytes;
    private long streamingGatewayNanos;
    private volatile State state = new Accepted();
    private volatile String clientId = "";
    private volatile long requests;

    ClientConnection(DataPath dataPath, Listener listener) {
        this.dataPath = dataPath;
        this.listener = listener;
    }

    ConnectionInfo info() {
        State current = state;
        String cluster = null;
        String upstream = null;
        boolean upstreamSlow = false;
        if (current instanceof Connecting connecting) {
            cluster = connecting.cluster().name();
            upstream = String.valueOf(connecting.target());
        } else if (current instanceof Forwarding forwarding) {
            cluster = forwarding.cluster().name();
            upstream = forwarding.target().toString();
            upstreamSlow = !forwarding.upstream().isWritable();
        }
        boolean clientSlow = channel != null && channel.isActive() && !channel.isWritable();
        String stateName = current.getClass().getSimpleName();
        return new ConnectionInfo(clientId, remote(), listener.toString(), cluster, upstream, stateName, openedAt, requests,
                clientSlow, upstreamSlow);
    }

    // ---- client side ------------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        dataPath.connections().add(this);
        dataPath.metrics().connectionOpened(listener.toString());
    }

    private void route(UpstreamCluster cluster, boolean mayRediscover) {
        Optional<HostPort> target = listener instanceof Listener.Node node
                ? cluster.nodeAddress(node.nodeId())
                : Optional.of(cluster.bootstrapTarget());
        state = new Connecting(cluster, target.orElse(null), null);
        if (target.isEmpty()) {
            int nodeId = ((Listener.Node) listener).nodeId();
            if (!mayRediscover) {
                close("unknown_node", "cluster " + cluster.name() + " has no node " + nodeId);
                return;
            }
            // The client knows a node this gateway has not seen yet, e.g. after a gateway restart.
            cluster.discover().whenComplete((view, error) -> channel.eventLoop().execute(() -> {
                if (!(state instanceof Closed)) {
                    route(cluster, false);
                }
            }));
            return;
        }
        Future<Channel> upstream = dataPath.connector().connect(channel.eventLoop(), cluster, target.get(), this);
        state = new Connecting(cluster, target.get(), upstream);
        upstream.addListener(ready -> upstreamReady(upstream, cluster, target.get()));
    }

    private void upstreamReady(Future<Channel> upstream, UpstreamCluster cluster, HostPort target) {
        if (state instanceof Closed) {
            if (upstream.isSuccess()) {
                upstream.getNow().close();
            }
            return;
        }
        if (!upstream.isSuccess()) {
            if (upstream.cause() instanceof UpstreamConnectFailure failure) {
                close(failure.cause(), failure.getMessage());
            } else {
                close("internal_error", "cannot connect to " + target + " of cluster " + cluster.name() + ": "
                        + describe(upstream.cause()));
            }
            return;
        }
        Channel ready = upstream.getNow();
        state = new Forwarding(cluster, target, ready);
        LOG.debug("Forwarding client={} listener={} cluster={} upstream={}", channel.remoteAddress(), listener,
                cluster.name(), target);
        while (!pending.isEmpty() && state instanceof Forwarding) {
            RequestFrame request = pending.poll();
            try {
                forward(request, ready);
            } catch (RuntimeException e) {
                request.release();
                close(causeLabel(e), describe(e));
            }
        }
        if (state instanceof Forwarding) {
            ready.flush();
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RequestFrame request = (RequestFrame) msg;
        State current = state;
        if (current instanceof Forwarding forwarding) {
            try {
                forward(request, forwarding.upstream());
            } catch (RuntimeException e) {
                request.release();
                throw e;
            }
        } else if (current instanceof Accepted) {
            pending.add(request);
            channel.config().setAutoRead(false);
            route(dataPath.clusters().active(), true);
        } else if (current instanceof Connecting) {
            pending.add(request);
        } else {
            request.release();
        }
    }

    private void forward(RequestFrame request, Channel upstream) {
        long received = System.nanoTime();
        ApiKeys api = request.apiKey();
        requests++;
        String id = request.header().clientId();
        if (id != null && !id.equals(clientId)) {
            clientId = id;
        }
        if (!versions.allows(api.id, request.apiVersion())) {
            if (api == ApiKeys.API_VERSIONS) {
                // The protocol's own answer to a client newer than us: tell it which versions to retry with.
                answerUnsupportedApiVersions(request);
                return;
            }
            dataPath.metrics().requestFailed(api, "version_not_negotiated");
            throw new ProtocolViolation("version_not_negotiated", api.name + " v" + request.apiVersion() + " is outside the negotiated range "
                    + versions.describe(api.id));
        }
        dataPath.metrics().requestReceived(api, request.size());
        if (expectsResponse(request)) {
            inFlight.add(new InFlightRequest(request.correlationId(), api, request.apiVersion(), received, System.nanoTime()));
        }
        upstream.write(request.frame(), upstream.voidPromise());
    }

    /** Produce with acks=0 is the one request a broker never answers. */
    private static boolean expectsResponse(RequestFrame request) {
        if (request.apiKey() != ApiKeys.PRODUCE) {
            return true;
        }
        try {
            return new ProduceRequestData(new ByteBufferAccessor(request.body().duplicate()), request.apiVersion()).acks() != 0;
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable Produce v" + request.apiVersion() + " request: " + e.getMessage());
        }
    }

    private void answerUnsupportedApiVersions(RequestFrame request) {
        int correlationId = request.correlationId();
        request.release();
        ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        response.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
                .setMinVersion(GatewayApis.oldestVersion(ApiKeys.API_VERSIONS.id))
                .setMaxVersion(GatewayApis.latestVersion(ApiKeys.API_VERSIONS.id)));
        // Version 0 is the format every client can read, which is why the protocol prescribes it here.
        ByteBuffer encoded = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(correlationId), (short) 0, response, (short) 0);
        ByteBuf frame = Unpooled.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        frame.writeInt(encoded.remaining()).writeBytes(encoded);
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state instanceof Forwarding forwarding) {
            forwarding.upstream().flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state instanceof Forwarding forwarding) {
            forwarding.upstream().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close("client_closed", "the client closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(causeLabel(cause), describe(cause));
    }

    // ---- upstream side, called by UpstreamHandler on the same event loop ---------------------------------------

    /**
     * How the response with this correlation id should be received: streamed through as it arrives, or
     * gathered whole because a rewriter needs it. Returns null, having closed the connection, when the
     * response does not answer the next request in flight.
     */
    ResponseStreamDecoder.Mode receiveMode(int correlationId, int size) {
        if (!(state instanceof Forwarding)) {
            return ResponseStreamDecoder.Mode.STREAM; // bytes are dropped once closed
        }
        InFlightRequest request = inFlight.peek();
        if (request == null || request.correlationId() != correlationId) {
            close("upstream_protocol_error", "upstream sent a response with correlation id " + correlationId
                    + " but the next request in flight is " + (request == null ? "none" : request.correlationId()));
            return null;
        }
        if (dataPath.rewriters().interestedIn(request.apiKey(), request.apiVersion())) {
            return ResponseStreamDecoder.Mode.BUFFER;
        }
        streaming = inFlight.poll();
        streamingBytes = KafkaFrameDecoder.SIZE_PREFIX + size;
        return FetchTailRewriter.appliesTo(request.apiKey(), request.apiVersion())
                ? ResponseStreamDecoder.Mode.STREAM_WITH_TAIL : ResponseStreamDecoder.Mode.STREAM;
    }

    /** The first bytes of a streamed response: its size and correlation id. */
    void streamStart(ByteBuf start, boolean complete) {
        if (!(state instanceof Forwarding)) {
            start.release();
            return;
        }
        long arrived = System.nanoTime();
        channel.write(start, channel.voidPromise());
        streamingGatewayNanos = (streaming.forwardedNanos() - streaming.receivedNanos()) + (System.nanoTime() - arrived);
        if (complete) {
            streamEnd();
        }
    }

    void streamPart(ByteBuf part, boolean last) {
        if (!(state instanceof Forwarding)) {
            part.release();
            return;
        }
        channel.write(part, channel.voidPromise());
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
            if (!(state instanceof Forwarding)) {
                tail.release();
                return;
            }
            FetchTailRewriter.Tail rewritten;
            try {
                rewritten = FetchTailRewriter.rewrite(whole, streaming.apiVersion(), this);
            } catch (RuntimeException e) {
                tail.release();
                close(causeLabel(e), "cannot inspect " + streaming.apiKey().name + " response: " + describe(e));
                return;
            }
            if (rewritten == null) {
                channel.write(tail, channel.voidPromise());
            } else if (rewritten.length() > tail.readableBytes()) {
                tail.release();
                rewritten.replacement().release();
                close("upstream_protocol_error", "a " + rewritten.length() + "-byte Fetch tail exceeds the "
                        + ResponseStreamDecoder.HELD_BACK_BYTES + " bytes held back");
                return;
            } else {
                channel.write(tail.retainedSlice(tail.readerIndex(), tail.readableBytes() - rewritten.length()), channel.voidPromise());
                tail.release();
                channel.write(rewritten.replacement(), channel.voidPromise());
                dataPath.metrics().responseRewritten(streaming.apiKey());
                if (!rewritten.endpointsKept()) {
                    LOG.debug("Leader endpoints dropped from a Fetch response: the gateway's addresses do not fit; "
                            + "client={} will refresh metadata", remote());
                }
            }
            streamEnd();
        } finally {
            whole.release();
        }
    }

    private void streamEnd() {
        dataPath.metrics().responseSent(streaming.apiKey(), streamingBytes, System.nanoTime() - streaming.receivedNanos(),
                streamingGatewayNanos);
        streaming = null;
    }

    /** A whole response, gathered because a rewriter wants it. */
    void onResponse(ByteBuf frame) {
        if (!(state instanceof Forwarding)) {
            frame.release();
            return;
        }
        long arrived = System.nanoTime();
        InFlightRequest request = inFlight.poll();
        ByteBuf response = frame;
        try {
            response = dataPath.rewriters().rewrite(frame, request.apiKey(), request.apiVersion(), this);
        } catch (RuntimeException e) {
            frame.release();
            close(causeLabel(e), "cannot rewrite " + request.apiKey().name + " response: " + describe(e));
            return;
        }
        if (response != frame) {
            dataPath.metrics().responseRewritten(request.apiKey());
        }
        int bytes = response.readableBytes();
        channel.write(response, channel.voidPromise());
        long sent = System.nanoTime();
        dataPath.metrics().responseSent(request.apiKey(), bytes, sent - request.receivedNanos(),
                (request.forwardedNanos() - request.receivedNanos()) + (sent - arrived));
    }

    void flushToClient() {
        if (channel.isActive()) {
            channel.flush();
        }
    }

    /** The upstream connection closed or failed. Until it is ready, the connector's future reports that instead. */
    void upstreamFailed(String cause, String reason) {
        if (state instanceof Forwarding) {
            close(cause, reason);
        }
    }

    void upstreamWritabilityChanged(boolean writable) {
        channel.config().setAutoRead(writable);
    }

    // ---- RewriteContext ---------------------------------------------------------------------------------------

    @Override
    public HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort) {
        return dataPath.addresses().gatewayAddress(((Forwarding) state).cluster(), nodeId, upstreamHost, upstreamPort);
    }

    @Override
    public void negotiated(List<ApiVersion> apiVersions) {
        versions.negotiated(apiVersions);
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /** Closes both sides once. {@code cause} is a short label for metrics, {@code reason} the sentence logged. */
    void close(String cause, String reason) {
        State previous = state;
        if (previous instanceof Closed) {
            return;
        }
        state = new Closed(cause, reason);
        if (cause.equals("client_closed")) {
            LOG.debug("Connection closed: cause={} client={} clientId={} listener={} reason={}", cause,
                    remote(), clientId, listener, reason);
        } else {
            LOG.warn("Closing connection: cause={} client={} clientId={} listener={} reason={}", cause,
                    remote(), clientId, listener, reason);
        }
        if (streaming != null) {
            dataPath.metrics().requestFailed(streaming.apiKey(), cause);
            streaming = null;
        }
        for (InFlightRequest request : inFlight) {
            dataPath.metrics().requestFailed(request.apiKey(), cause);
        }
        inFlight.clear();
        for (RequestFrame request : pending) {
            dataPath.metrics().requestFailed(request.apiKey(), cause);
            request.release();
        }
        pending.clear();
        if (previous instanceof Forwarding forwarding) {
            forwarding.upstream().close();
        } else if (previous instanceof Connecting connecting && connecting.upstream() != null) {
            connecting.upstream().cancel(false);
        }
        if (channel != null) {
            channel.close();
            dataPath.connections().remove(this);
            dataPath.metrics().connectionClosed(cause);
        }
    }

    private String remote() {
        return channel == null ? "?" : String.valueOf(channel.remoteAddress());
    }

    private static String causeLabel(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof TooLongFrameException) {
            return "frame_too_large";
        }
        if (root instanceof CorruptedFrameException) {
            return "corrupt_frame";
        }
        if (root instanceof ProtocolViolation violation) {
            return violation.cause();
        }
        if (root instanceof SocketException || root instanceof java.io.IOException) {
            return "client_io_error";
        }
        return "internal_error";
    }

    static String describe(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String message = root.getMessage();
        if (root instanceof TooLongFrameException) {
            return "frame exceeds listener.maxFrameBytes: " + message;
        }
        return root instanceof ProtocolViolation ? message : root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
