package dev.switchboard.datapath;

import java.net.SocketException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

import io.netty.buffer.ByteBuf;
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
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and the upstream connection that serves it.
 *
 * <pre>
 *   Accepted ──first request──▶ Connecting ──upstream ready──▶ Forwarding ──either side closes──▶ Closed
 *      │                           │  ▲                           │
 *      │                           │  └───cluster switch, idle────┤
 *      │                           │      on the bootstrap port   │
 *      └───────────────────────────┴──client leaves, protocol error, upstream unreachable──────▶ Closed
 * </pre>
 *
 * <ul>
 *   <li>{@link Accepted}: no upstream yet. A connection that never sends a request (a load balancer's health
 *       check, an idle client) costs one socket, not two.</li>
 *   <li>{@link Connecting}: the first request has arrived and the upstream connection is being opened for the
 *       cluster active at that moment: connected, then through its TLS handshake and SASL authentication if the
 *       cluster uses them. The client is not read meanwhile; the few frames that arrived with the first one
 *       wait in order. An idle bootstrap connection comes back here when the active cluster changes, see
 *       {@link #clusterSwitched}.</li>
 *   <li>{@link Forwarding}: each request is forwarded as the frame that arrived; the response queue keeps
 *       per-connection order, which Kafka guarantees, so correlation ids are never renumbered. Forwarding can be
 *       {@link Pause paused}: while a planned switchover holds produce requests, or while the gateway answers a
 *       request itself after the responses before it. A paused connection is not read; requests that arrived
 *       meanwhile wait in order.</li>
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

    record Forwarding(UpstreamCluster cluster, HostPort target, Channel upstream, Pause pause) implements State {

        Forwarding paused(Pause why) {
            return new Forwarding(cluster, target, upstream, why);
        }
    }

    /** Why a forwarding connection is not forwarding right now. */
    sealed interface Pause permits NotPaused, HoldingProduce, AnsweringLocally {
    }

    record NotPaused() implements Pause {
    }

    /** A planned switchover holds produce requests; this one and those after it wait for the hold to end. */
    record HoldingProduce() implements Pause {
    }

    /**
     * The gateway answers a request itself, after the responses to the requests before it, and after a delay
     * where the answer stands for a broker's wait (an empty fetch).
     */
    record AnsweringLocally(int correlationId, ApiKeys apiKey, ByteBuf response, long delayMillis) implements Pause {
    }

    private static final Pause NOT_PAUSED = new NotPaused();

    record Closed(String cause, String reason) implements State {
    }

    /** The largest Fetch response gathered to translate node ids inside it. */
    private static final int TRANSLATED_FETCH_MAX_BYTES = 1024 * 1024;

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
    private SwitchGuard.ClientKey clientKey;
    private ApplicationProgress application = ApplicationProgress.NONE;
    private boolean reportedProduce;
    private boolean reportedFetch;

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
        Optional<HostPort> node = listener instanceof Listener.Node n ? upstreamNode(cluster, n.nodeId()) : Optional.empty();
        if (listener instanceof Listener.Node n && node.isEmpty()) {
            if (mayRediscover) {
                // The client knows a node this gateway has not seen yet, e.g. after a gateway restart.
                state = new Connecting(cluster, null, null);
                cluster.discover().whenComplete((view, error) -> channel.eventLoop().execute(() -> {
                    if (!(state instanceof Closed)) {
                        route(cluster, false);
                    }
                }));
                return;
            }
            // After a switch the cluster may have fewer brokers: its metadata, from any broker, tells the client so.
            LOG.debug("Cluster {} has no broker for virtual node {}; client={} goes to any broker", cluster.name(), n.nodeId(), remote());
        }
        HostPort target = node.orElseGet(cluster::bootstrapTarget);
        Future<Channel> upstream = dataPath.connector().connect(channel.eventLoop(), cluster, target, this);
        state = new Connecting(cluster, target, upstream);
        upstream.addListener(ready -> upstreamReady(upstream, cluster, target));
    }

    private Optional<HostPort> upstreamNode(UpstreamCluster cluster, int virtualNodeId) {
        java.util.OptionalInt real = dataPath.nodes().realId(cluster.name(), virtualNodeId);
        return real.isPresent() ? cluster.nodeAddress(real.getAsInt()) : Optional.empty();
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
        state = new Forwarding(cluster, target, ready, NOT_PAUSED);
        LOG.debug("Forwarding client={} listener={} cluster={} upstream={}", channel.remoteAddress(), listener,
                cluster.name(), target);
        forwardPending();
    }

    /** Forwards the requests that waited, until they run out or one pauses the connection again. */
    private void forwardPending() {
        while (!pending.isEmpty() && state instanceof Forwarding forwarding && forwarding.pause() instanceof NotPaused) {
            RequestFrame request = pending.poll();
            try {
                handle(request, forwarding);
            } catch (RuntimeException e) {
                request.release();
                close(causeLabel(e), describe(e));
            }
        }
        if (state instanceof Forwarding forwarding && forwarding.pause() instanceof NotPaused) {
            forwarding.upstream().flush();
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RequestFrame request = (RequestFrame) msg;
        State current = state;
        if (current instanceof Forwarding forwarding && forwarding.pause() instanceof NotPaused) {
            try {
                handle(request, forwarding);
            } catch (RuntimeException e) {
                request.release();
                throw e;
            }
        } else if (current instanceof Forwarding) {
            pending.add(request);
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

    /**
     * What happens to one request while forwarding: the switch guard may hold it, answer it or refuse it;
     * otherwise it is forwarded.
     */
    private void handle(RequestFrame request, Forwarding forwarding) {
        requests++;
        String id = request.header().clientId();
        if (clientKey == null || (id != null && !id.equals(clientId))) {
            clientId = id == null ? "" : id;
            clientKey = new SwitchGuard.ClientKey(clientId, remoteHost());
            application = dataPath.guard().application(clientId, null);
            application.connected();
        }
        SwitchGuard guard = dataPath.guard();
        ApiKeys api = request.apiKey();
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
        boolean expectsResponse = true;
        if (api == ApiKeys.PRODUCE) {
            if (guard.holdsProduce()) {
                pending.addFirst(request);
                pause(forwarding, new HoldingProduce());
                LOG.debug("Holding produce requests of client={} clientId={}: planned switchover", remote(), clientId);
                return;
            }
            // Decoded once: acks decides whether a response comes; the guard may refuse it.
            ProduceRequestData produce = LocalAnswers.decodeProduce(request);
            expectsResponse = produce.acks() != 0;
            LocalAnswers.Refusal refusal = LocalAnswers.refuseProduce(request, produce, forwarding.cluster().name(), guard,
                    dataPath.topicNames());
            if (refusal != null) {
                if (refusal.topic() != null) {
                    LOG.warn("Refusing produce to topic={} from clientId={}: it is pinned to cluster {} and cluster {} is active",
                            refusal.topic(), clientId, refusal.pinnedTo(), forwarding.cluster().name());
                } else {
                    LOG.info("Produce of clientId={} answered OUT_OF_ORDER_SEQUENCE_NUMBER: its producer id predates the switch,"
                            + " so it bumps its epoch before writing to cluster {}", clientId, forwarding.cluster().name());
                }
                answerLocally(forwarding, request, refusal.response(), 0);
                return;
            }
        } else if (api == ApiKeys.FETCH && guard.fencesFetch(clientKey)) {
            LOG.debug("Fetch of clientId={} answered empty: it has not rejoined its group since the switch", clientId);
            answerLocally(forwarding, request, LocalAnswers.emptyFetch(request), LocalAnswers.fetchWaitMillis(request));
            return;
        } else if (api == ApiKeys.JOIN_GROUP) {
            guard.groupJoined(clientKey, true);
        } else if (api == ApiKeys.CONSUMER_GROUP_HEARTBEAT) {
            guard.groupJoined(clientKey, LocalAnswers.joinsAfresh(request));
        }
        forward(request, forwarding.upstream(), expectsResponse);
    }

    private void pause(Forwarding forwarding, Pause why) {
        state = forwarding.paused(why);
        channel.config().setAutoRead(false);
    }

    /**
     * Answers a request at the gateway. The answer goes out after the responses to the requests before it, so
     * per-connection order holds; the connection is paused until then.
     */
    private void answerLocally(Forwarding forwarding, RequestFrame request, ByteBuf response, long delayMillis) {
        int correlationId = request.correlationId();
        ApiKeys api = request.apiKey();
        request.release();
        dataPath.metrics().requestReceived(api, 0);
        pause(forwarding, new AnsweringLocally(correlationId, api, response, delayMillis));
        sendLocalAnswerWhenDue();
    }

    /** Sends the waiting local answer once no upstream response is due before it. */
    private void sendLocalAnswerWhenDue() {
        if (!(state instanceof Forwarding forwarding) || !(forwarding.pause() instanceof AnsweringLocally answer)
                || !inFlight.isEmpty() || streaming != null) {
            return;
        }
        Runnable send = () -> {
            if (state instanceof Forwarding current && current.pause() == answer) {
                channel.writeAndFlush(answer.response(), channel.voidPromise());
                state = current.paused(NOT_PAUSED);
                forwardPending();
            }
        };
        if (answer.delayMillis() > 0) {
            channel.eventLoop().schedule(send, answer.delayMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            send.run();
        }
    }

    /** Runs a task on this connection's event loop, where all its state lives. */
    void onEventLoop(Runnable task) {
        if (channel != null) {
            channel.eventLoop().execute(task);
        }
    }

    /**
     * The active cluster changed. A connection to the bootstrap port with nothing in flight or waiting moves to the
     * new cluster, unseen by the client: it stands for any broker, and nothing on it belongs to the old cluster. Every
     * other connection closes, so that the client finds the new cluster's leaders, coordinators and offsets.
     *
     * <p>A client so keeps one connection up through the switch. librdkafka before 2.10 keeps its bootstrap
     * connection and counts it as a broker: with every connection closed at once it reports ALL_BROKERS_DOWN, which
     * kcat, unless given {@code -E}, takes for fatal and exits.
     */
    void clusterSwitched(String cause, String reason) {
        if (state instanceof Forwarding forwarding && listener instanceof Listener.Bootstrap
                && forwarding.pause() instanceof NotPaused && inFlight.isEmpty() && streaming == null && pending.isEmpty()) {
            channel.config().setAutoRead(false);
            forwarding.upstream().close();
            clientKey = null; // so its next request counts as the application's return, as on a new connection
            LOG.debug("Idle bootstrap connection moves to the active cluster: client={} clientId={} reason={}", remote(), clientId,
                    reason);
            route(dataPath.clusters().active(), false);
        } else {
            close(cause, reason);
        }
    }

    /** The hold on produce requests ended: forward what waited. Runs on this connection's event loop. */
    void produceHoldEnded() {
        if (state instanceof Forwarding forwarding && forwarding.pause() instanceof HoldingProduce) {
            state = forwarding.paused(NOT_PAUSED);
            forwardPending();
        }
    }

    /** {@code expectsResponse} is false only for Produce with acks=0, the one request a broker never answers. */
    private void forward(RequestFrame request, Channel upstream, boolean expectsResponse) {
        long received = System.nanoTime();
        ApiKeys api = request.apiKey();
        dataPath.metrics().requestReceived(api, request.size());
        if (expectsResponse) {
            inFlight.add(new InFlightRequest(request.correlationId(), api, request.apiVersion(), received, System.nanoTime()));
        }
        upstream.write(request.frame(), upstream.voidPromise());
    }

    private void answerUnsupportedApiVersions(RequestFrame request) {
        int correlationId = request.correlationId();
        request.release();
        ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        response.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
                .setMinVersion(GatewayApis.oldestVersion(ApiKeys.API_VERSIONS.id))
                .setMaxVersion(GatewayApis.latestVersion(ApiKeys.API_VERSIONS.id)));
        // Version 0 is the format every client can read, which is why the protocol prescribes it here.
        channel.writeAndFlush(LocalAnswers.frame(correlationId, ApiKeys.API_VERSIONS, (short) 0, response), channel.voidPromise());
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
        if (dataPath.rewriters().interestedIn(request.apiKey(), request.apiVersion()) || wantsWhole(request, size)) {
            return ResponseStreamDecoder.Mode.BUFFER;
        }
        streaming = inFlight.poll();
        streamingBytes = KafkaFrameDecoder.SIZE_PREFIX + size;
        return FetchTailRewriter.appliesTo(request.apiKey(), request.apiVersion())
                ? ResponseStreamDecoder.Mode.STREAM_WITH_TAIL : ResponseStreamDecoder.Mode.STREAM;
    }

    /**
     * Fetch responses are gathered only when needed: to learn whether an application fetches again after a
     * switch, or to translate node ids behind a cluster whose ids are not the virtual ones. There, responses too
     * big to hold stream as they are; a leader id inside them may be the cluster's own, and the client then finds
     * the leader by a metadata refresh.
     */
    private boolean wantsWhole(InFlightRequest request, int size) {
        if (request.apiKey() != ApiKeys.FETCH) {
            return false;
        }
        Forwarding forwarding = (Forwarding) state;
        return application.awaitingFetch()
                || (size <= TRANSLATED_FETCH_MAX_BYTES && !dataPath.nodes().isIdentity(forwarding.cluster().name()));
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
        reportProgress(streaming.apiKey(), null, streaming.apiVersion());
        streaming = null;
        sendLocalAnswerWhenDue();
    }

    /**
     * Tells the application's progress about a response on its way to it. The response is inspected only while
     * a switch waits for this application; otherwise the first one teaches the application's role.
     */
    private void reportProgress(ApiKeys api, ByteBuf whole, short version) {
        if (api == ApiKeys.PRODUCE) {
            if (application.awaitingProduce()) {
                if (whole != null && LocalAnswers.produceSucceeded(whole, version)) {
                    application.produced();
                }
            } else if (!reportedProduce) {
                reportedProduce = true;
                application.produced();
            }
        } else if (api == ApiKeys.FETCH) {
            if (application.awaitingFetch()) {
                if (whole != null && LocalAnswers.fetchSucceeded(whole, version)) {
                    application.fetched();
                }
            } else if (!reportedFetch) {
                reportedFetch = true;
                application.fetched();
            }
        }
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
            reportProgress(request.apiKey(), frame, request.apiVersion());
            response = dataPath.rewriters().canRewrite(request.apiKey())
                    ? dataPath.rewriters().rewrite(frame, request.apiKey(), request.apiVersion(), this) : frame;
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
        sendLocalAnswerWhenDue();
    }

    void flushToClient() {
        if (channel.isActive()) {
            channel.flush();
        }
    }

    /**
     * The upstream connection closed or failed. Until it is ready, the connector's future reports that instead; an
     * upstream this connection has left for another cluster is no longer its concern.
     */
    void upstreamFailed(Channel upstream, String cause, String reason) {
        if (state instanceof Forwarding forwarding && forwarding.upstream() == upstream) {
            close(cause, reason);
        }
    }

    void upstreamWritabilityChanged(Channel upstream, boolean writable) {
        if (!(state instanceof Forwarding forwarding) || forwarding.upstream() != upstream) {
            return;
        }
        if (!(forwarding.pause() instanceof NotPaused)) {
            return; // stays unread until the pause ends
        }
        channel.config().setAutoRead(writable);
    }

    // ---- RewriteContext ---------------------------------------------------------------------------------------

    @Override
    public HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort) {
        return dataPath.addresses().gatewayAddress(((Forwarding) state).cluster(), nodeId, upstreamHost, upstreamPort);
    }

    @Override
    public int nodeId(int upstreamNodeId) {
        return dataPath.nodes().virtualId(((Forwarding) state).cluster().name(), upstreamNodeId);
    }

    @Override
    public String clusterId() {
        return dataPath.clusterId();
    }

    @Override
    public String pinnedElsewhere(String topic) {
        return dataPath.guard().pinnedElsewhere(topic, ((Forwarding) state).cluster().name());
    }

    @Override
    public void producerIdIssued(long producerId, short epoch) {
        dataPath.guard().producerIdIssued(producerId, epoch);
    }

    @Override
    public void learnTopic(org.apache.kafka.common.Uuid topicId, String name) {
        if (!dataPath.guard().pinsTopics()) {
            return; // only pinned topics need names for ids
        }
        dataPath.topicNames().learn(((Forwarding) state).cluster().name(), topicId, name);
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
            if (forwarding.pause() instanceof AnsweringLocally answer) {
                answer.response().release();
            }
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

    private String remoteHost() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress address
                ? address.getAddress().getHostAddress() : String.valueOf(channel.remoteAddress());
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
