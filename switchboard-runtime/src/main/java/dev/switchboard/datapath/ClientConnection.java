package dev.switchboard.datapath;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.HostPort;
import dev.switchboard.intercept.ConnectionContext;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and the upstream connection that serves it: the connection's state machine. Each request's
 * walk through the interceptors is the {@link RequestWalk}'s; what goes back to the client, in order, is the
 * {@link ResponseRelay}'s.
 *
 * <pre>
 *   Accepted ──first request──▶ Connecting ──upstream ready──▶ Forwarding ──either side closes──▶ Closed
 *      │  node port unknown      ▲  ▲  ↺ cluster switch:            │
 *      └──▶ Discovering ─────────┘  │    the new cluster instead    │ cluster switch
 *                                   │                               ▼
 *                                   └──everything in flight answered── Draining ──not answered in time──▶ Closed
 *   any state ──client leaves, protocol error, upstream unreachable, interceptor fails──────────▶ Closed
 * </pre>
 *
 * <ul>
 *   <li>{@link Accepted}: no upstream yet. A connection that never sends a request (a load balancer's health
 *       check, an idle client) costs one socket, not two.</li>
 *   <li>{@link Discovering}: the client connected to the port of a node this gateway has not seen in metadata yet
 *       (after a gateway restart); the cluster is asked once.</li>
 *   <li>{@link Connecting}: the upstream connection is being opened for the cluster active at that moment:
 *       connected, then through its TLS handshake and SASL authentication if the cluster uses them. The client is
 *       not read meanwhile; the few frames that arrived with the first one wait in order. A connection comes back
 *       here, to the new active cluster, when the active cluster changes, see {@link #clusterSwitched}.</li>
 *   <li>{@link Forwarding}: each request walks the interceptors interested in it, then goes upstream as the frame
 *       that arrived. Requests are handled one at a time: while an interceptor makes one wait ({@link Waiting}), the
 *       client is not read and what arrived meanwhile waits in order. After a dropped request the connection is
 *       {@link Silenced}: nothing more is forwarded or answered.</li>
 *   <li>{@link Draining}: the active cluster changed. The client is not read, and the requests in flight get their
 *       answers from the cluster that took them; then the connection moves to the new cluster.</li>
 *   <li>{@link Closed}: terminal. The reason is logged once; requests still owed a response are counted as failed.</li>
 * </ul>
 *
 * <p>Both channels run on one event loop, so all fields are confined to it. Backpressure: while one side cannot take
 * more writes, the gateway stops reading from the other ({@link #updateReading}).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ResponseRelay.Owner, RequestWalk.Connection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    sealed interface State permits Authenticating, Accepted, Discovering, Routed, Closed {
        /** The state's name as status reports it. */
        String name();
    }

    /**
     * A state with a cluster to serve the client: requests are handled, or wait for an interceptor, across the moves
     * between these states, so each carries the connection's {@link Pause}.
     */
    sealed interface Routed extends State permits Connecting, Forwarding, Draining {
        Pause pause();

        Routed paused(Pause why);
    }

    /**
     * The listener terminates SASL and the client has not authenticated yet: the gateway answers ApiVersions,
     * SaslHandshake and SaslAuthenticate itself, and nothing of the client's reaches a broker. {@code versionsAsked}
     * while the active cluster's API versions are being learned, before the first client's ApiVersions can be answered.
     */
    record Authenticating(boolean versionsAsked) implements State {
        @Override
        public String name() {
            return "Authenticating";
        }
    }

    record Accepted() implements State {
        @Override
        public String name() {
            return "Accepted";
        }
    }

    record Discovering(UpstreamCluster cluster) implements State {
        @Override
        public String name() {
            return "Discovering";
        }
    }

    /** {@code upstream} completes when the upstream connection is ready to forward. */
    record Connecting(UpstreamCluster cluster, HostPort target, Future<Channel> upstream, Pause pause) implements Routed {

        @Override
        public Connecting paused(Pause why) {
            return new Connecting(cluster, target, upstream, why);
        }

        @Override
        public String name() {
            return "Connecting";
        }
    }

    record Forwarding(UpstreamCluster cluster, HostPort target, Channel upstream, Pause pause) implements Routed {

        @Override
        public Forwarding paused(Pause why) {
            return new Forwarding(cluster, target, upstream, why);
        }

        @Override
        public String name() {
            return "Forwarding";
        }
    }

    /**
     * The active cluster changed while the connection was {@code from}: the requests in flight there are being
     * answered, until {@code deadline} at the latest. A request an interceptor lets go meanwhile waits for the new
     * cluster.
     */
    record Draining(Forwarding from, ScheduledFuture<?> deadline) implements Routed {

        @Override
        public Pause pause() {
            return from.pause();
        }

        @Override
        public Draining paused(Pause why) {
            return new Draining(from.paused(why), deadline);
        }

        @Override
        public String name() {
            return "Draining";
        }
    }

    /** Why a routed connection is not handling requests right now. */
    sealed interface Pause permits NotPaused, Waiting, Silenced {
    }

    record NotPaused() implements Pause {
    }

    /**
     * An interceptor delays a request, or waits for something (a produce hold's end) before deciding. The request is
     * held here, so that a close releases it at once rather than when its wait ends.
     */
    record Waiting(String interceptor, PendingRequest request) implements Pause {
    }

    /** A request was dropped: requests after it are neither forwarded nor answered, as by a broker that hung. */
    record Silenced(String interceptor) implements Pause {
    }

    record Closed(String cause, String reason) implements State {
        @Override
        public String name() {
            return "Closed";
        }
    }

    private static final Pause NOT_PAUSED = new NotPaused();
    /**
     * How long a connection waits, at a switch, for the answers to its requests in flight before it closes instead of
     * moving. Longer than the default long poll of Kafka's consumers (500 ms for the Java client and librdkafka), short
     * enough that a hung cluster does not keep its clients from the new one.
     */
    static final long DRAIN_TIMEOUT_MILLIS = 2_000;

    private final DataPath dataPath;
    private final Listener listener;
    private final Instant openedAt = Instant.now();
    /** Requests that arrived while the connection could not handle them, in order. */
    private final ArrayDeque<RequestFrame> pending = new ArrayDeque<>();
    /** Walks an interceptor let go on while the connection was between clusters; they go on once it forwards again. */
    private final ArrayDeque<Runnable> resumedAfterMove = new ArrayDeque<>();
    private final NegotiatedVersions versions = new NegotiatedVersions();
    private Channel channel;
    private RoutedContext context;
    private InterceptorChain chain;
    private ResponseRelay relay;
    private RequestWalk walk;
    /** The client's SASL session, when the listener terminates SASL; null when it does not. */
    private SaslTermination sasl;
    private volatile State state = new Accepted();
    private volatile String clientId = "";
    /** Who the client authenticated as, for status; written on the event loop. */
    private volatile String principal;
    private volatile long requests;
    /** Whether the admission let this connection have upstream connections; it is asked once. */
    private boolean admitted;
    /** Whether the principal of a client certificate, if any, was looked for. */
    private boolean identityChecked;
    /** Whether the interceptors were told who the client is since it connected or moved. */
    private boolean identified;

    ClientConnection(DataPath dataPath, Listener listener) {
        this.dataPath = dataPath;
        this.listener = listener;
    }

    ConnectionInfo info() {
        State current = state;
        String cluster = null;
        String upstream = null;
        boolean upstreamSlow = false;
        if (current instanceof Discovering discovering) {
            cluster = discovering.cluster().name();
        } else if (current instanceof Connecting connecting) {
            cluster = connecting.cluster().name();
            upstream = connecting.target().toString();
        } else if (current instanceof Forwarding forwarding) {
            cluster = forwarding.cluster().name();
            upstream = forwarding.target().toString();
            upstreamSlow = !forwarding.upstream().isWritable();
        } else if (current instanceof Draining draining) {
            cluster = draining.from().cluster().name();
            upstream = draining.from().target().toString();
            upstreamSlow = !draining.from().upstream().isWritable();
        }
        boolean clientSlow = channel != null && channel.isActive() && !channel.isWritable();
        return new ConnectionInfo(clientId, principal, remote(), listener.toString(), cluster, upstream, current.name(), openedAt,
                requests, clientSlow, upstreamSlow);
    }

    ResponseRelay relay() {
        return relay;
    }

    // ---- client side ------------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        dataPath.connections().add(this);
        dataPath.metrics().connectionOpened(listener.toString());
        InetSocketAddress address = channel.remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        context = new RoutedContext(dataPath, listener, address, versions);
        try {
            chain = new InterceptorChain(dataPath.interceptors(), context);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        relay = new ResponseRelay(dataPath, channel, chain, context, this);
        walk = new RequestWalk(dataPath, chain, context, relay, this);
        if (dataPath.sasl() != null) {
            sasl = new SaslTermination(dataPath.sasl(), address == null ? "" : address.getAddress().getHostAddress());
            state = new Authenticating(false);
        }
    }

    /**
     * The first upstream connection waits for the admission's word: a connection over its client's limits is held,
     * or closed, before any broker sees it.
     */
    private void admitThenRoute() {
        if (admitted) {
            route(dataPath.clusters().active(), true, NOT_PAUSED);
            return;
        }
        ConnectionAdmission.Decision decision;
        try {
            decision = dataPath.admission().admit(context);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (decision instanceof ConnectionAdmission.Refuse refuse) {
            close(refuse.cause(), refuse.reason());
        } else if (decision instanceof ConnectionAdmission.Wait wait) {
            admitted = true;
            channel.eventLoop().schedule(() -> {
                if (state instanceof Accepted) {
                    route(dataPath.clusters().active(), true, NOT_PAUSED);
                }
            }, wait.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else {
            admitted = true;
            route(dataPath.clusters().active(), true, NOT_PAUSED);
        }
    }

    /**
     * Opens the upstream connection for {@code cluster}: to the broker behind the client's virtual node, or for the
     * bootstrap port any broker. {@code pause} is carried over from the cluster the connection leaves, if any.
     */
    private void route(UpstreamCluster cluster, boolean mayRediscover, Pause pause) {
        Optional<HostPort> node = listener instanceof Listener.Node n ? upstreamNode(cluster, n.nodeId()) : Optional.empty();
        if (listener instanceof Listener.Node n && node.isEmpty()) {
            if (mayRediscover) {
                // The client knows a node this gateway has not seen yet, e.g. after a gateway restart.
                state = new Discovering(cluster);
                cluster.discover().whenComplete((view, error) -> channel.eventLoop().execute(() -> {
                    if (state instanceof Discovering) {
                        // The cluster active now: a switch during the discovery leaves nothing to move.
                        route(dataPath.clusters().active(), false, NOT_PAUSED);
                    }
                }));
                return;
            }
            // After a switch the cluster may have fewer brokers: its metadata, from any broker, tells the client so.
            LOG.debug("Cluster {} has no broker for virtual node {}; client={} goes to any broker", cluster.name(), n.nodeId(), remote());
        }
        HostPort target = node.orElseGet(cluster::bootstrapTarget);
        dataPath.metrics().upstreamConnectionOpened(cluster.name());
        Future<Channel> upstream = dataPath.connector().connect(channel.eventLoop(), cluster, target, this);
        state = new Connecting(cluster, target, upstream, pause);
        upstream.addListener(ready -> upstreamReady(upstream, cluster, target));
    }

    private Optional<HostPort> upstreamNode(UpstreamCluster cluster, int virtualNodeId) {
        OptionalInt real = dataPath.nodes().realId(cluster.name(), virtualNodeId);
        return real.isPresent() ? cluster.nodeAddress(real.getAsInt()) : Optional.empty();
    }

    private void upstreamReady(Future<Channel> upstream, UpstreamCluster cluster, HostPort target) {
        if (!(state instanceof Connecting connecting) || connecting.upstream() != upstream) {
            // Closed meanwhile, or gone on to another cluster: this upstream is not needed.
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
                        + CloseCause.describe(upstream.cause()));
            }
            return;
        }
        Channel ready = upstream.getNow();
        context.routedTo(cluster);
        state = new Forwarding(cluster, target, ready, connecting.pause());
        LOG.debug("Forwarding client={} listener={} cluster={} upstream={}", remote(), listener, cluster.name(), target);
        while (!resumedAfterMove.isEmpty() && state instanceof Forwarding) {
            resumedAfterMove.poll().run();
        }
        handlePending();
    }

    /** Handles the requests that waited, until they run out or one makes the connection wait again. */
    private void handlePending() {
        while (!pending.isEmpty() && state instanceof Forwarding forwarding && forwarding.pause() instanceof NotPaused) {
            handle(pending.poll());
        }
        if (state instanceof Forwarding forwarding) {
            if (forwarding.pause() instanceof Silenced) {
                discardPending();
            }
            forwarding.upstream().flush();
        }
        updateReading();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        received((RequestFrame) msg);
    }

    private void received(RequestFrame request) {
        if (!identityChecked) {
            adoptCertificatePrincipal();
        }
        State current = state;
        if (current instanceof Forwarding forwarding) {
            if (forwarding.pause() instanceof NotPaused) {
                handle(request);
            } else if (forwarding.pause() instanceof Silenced) {
                dataPath.metrics().requestFailed(request.apiKey(), "dropped");
                request.release();
            } else {
                pending.add(request);
            }
        } else if (current instanceof Authenticating authenticating) {
            if (authenticating.versionsAsked()) {
                pending.add(request);
            } else {
                beforeAuthentication(request);
            }
        } else if (current instanceof Accepted) {
            pending.add(request);
            channel.config().setAutoRead(false);
            // Known before the admission decides, which counts per client id.
            context.clientId(request.header().clientId());
            clientId = context.clientId();
            admitThenRoute();
        } else if (current instanceof Discovering || current instanceof Connecting || current instanceof Draining) {
            pending.add(request);
        } else {
            request.release();
        }
    }

    /**
     * One request while forwarding. Nothing is decoded unless an interceptor is interested in its API: then it walks
     * the interceptors, which may forward, answer, delay, drop it or close the connection. Never throws: a failure
     * closes the connection.
     */
    private void handle(RequestFrame request) {
        PendingRequest intercepted = null;
        try {
            requests++;
            identify(request.header().clientId());
            ApiKeys api = request.apiKey();
            if (!versions.allows(api.id, request.apiVersion())) {
                refuseVersion(request);
                return;
            }
            if (sasl != null && !sessionGoesOn(request)) {
                return;
            }
            long received = System.nanoTime();
            dataPath.metrics().requestReceived(api, request.size());
            if (!chain.wantsRequest(api)) {
                boolean expectsResponse = api != ApiKeys.PRODUCE || ProduceAcks.peek(request.body(), request.apiVersion()) != 0;
                forward(request.frame(), request.correlationId(), api, request.apiVersion(), received, expectsResponse);
                return;
            }
            intercepted = new PendingRequest(request, received);
            walk.start(intercepted);
        } catch (RuntimeException e) {
            if (intercepted != null) {
                intercepted.releaseIfUnsettled();
            } else {
                request.release();
            }
            fail(e);
        }
    }

    private void identify(String id) {
        if (context.clientId(id) || !identified) {
            identified = true;
            clientId = context.clientId();
            chain.clientIdentified(context);
        }
    }

    // ---- client authentication, when the listener terminates SASL -----------------------------------------------

    /**
     * With TLS and no SASL at the listener, the client certificate's principal is the connection's, as on a broker's
     * SSL listener; TLS termination set it before the first request was decrypted. With SASL, SASL's wins.
     */
    private void adoptCertificatePrincipal() {
        identityChecked = true;
        String fromCertificate = channel.attr(ClientIdentity.TLS_PRINCIPAL).get();
        if (fromCertificate != null && sasl == null) {
            context.authenticated(fromCertificate);
            principal = fromCertificate;
        }
    }

    /**
     * A request before the client authenticated: ApiVersions, SaslHandshake and SaslAuthenticate are answered here;
     * anything else closes the connection, as a broker's SASL listener does. Never throws.
     */
    private void beforeAuthentication(RequestFrame request) {
        try {
            ApiKeys api = request.apiKey();
            boolean saslApi = api == ApiKeys.API_VERSIONS || api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE;
            if (!saslApi && dataPath.sasl().servesAnonymous()) {
                // No SASL: served as a broker's PLAINTEXT listener serves it, from this request on.
                context.authenticated(ClientSasl.ANONYMOUS);
                principal = ClientSasl.ANONYMOUS;
                dataPath.metrics().clientAuthenticated("none", false);
                state = new Accepted();
                received(request);
                return;
            }
            requests++;
            context.clientId(request.header().clientId());
            clientId = context.clientId();
            if (!saslApi) {
                request.release();
                dataPath.metrics().clientAuthenticationFailed("none", "not_authenticated");
                close("authentication_required", api.name + " before SASL authentication: this listener requires SASL with one of "
                        + dataPath.sasl().mechanisms() + " (is the client configured with security.protocol=SASL_PLAINTEXT"
                        + " or SASL_SSL, and sasl.mechanism?)");
                return;
            }
            if (!versions.allows(api.id, request.apiVersion())) {
                refuseVersion(request);
                return;
            }
            if (api == ApiKeys.API_VERSIONS) {
                answerVersions(request);
            } else {
                authenticationStep(request);
            }
        } catch (RuntimeException e) {
            request.release();
            fail(e);
        }
    }

    /**
     * ApiVersions before authentication: the active cluster's versions, as a broker of it would answer after the cut to
     * the gateway's, with the SASL APIs the gateway's own. When they are not known yet the client is not read until
     * they are.
     */
    private void answerVersions(RequestFrame request) {
        UpstreamCluster cluster = dataPath.clusters().active();
        var known = dataPath.apiVersions().of(cluster, channel.eventLoop(), dataPath.connector());
        if (known.isDone() && !known.isCompletedExceptionally()) {
            answerVersions(request, known.join());
            return;
        }
        pending.addFirst(request);
        state = new Authenticating(true);
        channel.config().setAutoRead(false);
        known.whenComplete((versionsOfCluster, error) -> channel.eventLoop().execute(() -> {
            if (!(state instanceof Authenticating)) {
                return; // closed meanwhile
            }
            if (error != null) {
                close(error instanceof UpstreamConnectFailure failure ? failure.cause() : "upstream_versions_unknown",
                        "cannot answer ApiVersions before authentication: " + CloseCause.describe(error));
                return;
            }
            state = new Authenticating(false);
            answerVersions(pending.poll(), versionsOfCluster);
            while (!pending.isEmpty() && state instanceof Authenticating waiting && !waiting.versionsAsked()) {
                beforeAuthentication(pending.poll());
            }
            if (state instanceof Authenticating) {
                channel.config().setAutoRead(true);
            }
        }));
    }

    private void answerVersions(RequestFrame request, List<ApiVersion> ofCluster) {
        int correlationId = request.correlationId();
        short version = request.apiVersion();
        request.release();
        ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(Errors.NONE.code());
        for (ApiVersion api : ofCluster) {
            if (api.apiKey() != ApiKeys.SASL_HANDSHAKE.id && api.apiKey() != ApiKeys.SASL_AUTHENTICATE.id) {
                response.apiKeys().add(api.duplicate());
            }
        }
        for (ApiKeys saslApi : List.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE)) {
            response.apiKeys().add(new ApiVersion().setApiKey(saslApi.id).setMinVersion(GatewayApis.oldestVersion(saslApi.id))
                    .setMaxVersion(GatewayApis.latestVersion(saslApi.id)));
        }
        versions.negotiated(List.copyOf(response.apiKeys()));
        relay.answered(correlationId, ApiKeys.API_VERSIONS, version, System.nanoTime(),
                DecodedResponse.frame(correlationId, ApiKeys.API_VERSIONS, version, response));
    }

    /** A SaslHandshake or SaslAuthenticate, before authentication or renewing a session; answered in order. */
    private void authenticationStep(RequestFrame request) {
        ApiKeys api = request.apiKey();
        int correlationId = request.correlationId();
        short version = request.apiVersion();
        SaslTermination.Step step;
        try {
            step = api == ApiKeys.SASL_HANDSHAKE ? sasl.handshake(request.body(), version) : sasl.authenticate(request.body(), version);
        } finally {
            request.release();
        }
        // Counted before the client is answered, so whoever sees the answer sees the count too.
        if (step instanceof SaslTermination.Authenticated authenticated) {
            context.authenticated(authenticated.principal());
            principal = authenticated.principal();
            dataPath.metrics().clientAuthenticated(authenticated.mechanism(), authenticated.renewal());
            LOG.debug("Client authenticated: principal={} mechanism={} client={} clientId={} renewal={}", authenticated.principal(),
                    authenticated.mechanism(), remote(), clientId, authenticated.renewal());
            if (state instanceof Authenticating) {
                state = new Accepted(); // routed by its next request, as a connection without SASL by its first
            }
        } else if (step instanceof SaslTermination.Refused refused) {
            dataPath.metrics().clientAuthenticationFailed(refused.mechanism(), refused.cause());
        }
        relay.answered(correlationId, api, version, System.nanoTime(), DecodedResponse.frame(correlationId, api, version, step.response()));
        if (step instanceof SaslTermination.Refused refused) {
            String reason = "SASL " + refused.mechanism() + " authentication failed (" + refused.cause() + "): " + refused.reason();
            // The client reads why before the connection closes; nothing more of it is read meanwhile.
            channel.config().setAutoRead(false);
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> close("authentication_failed", reason));
        }
    }

    /**
     * Whether a request of an authenticated client goes on to the interceptors: a SaslHandshake or SaslAuthenticate
     * renews the session here instead (KIP-368), and a session past its lifetime closes, as on a broker.
     */
    private boolean sessionGoesOn(RequestFrame request) {
        ApiKeys api = request.apiKey();
        if (api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE) {
            authenticationStep(request);
            return false;
        }
        if (sasl.expired(System.nanoTime())) {
            request.release();
            close("session_expired", "the SASL session of " + sasl.principal() + " outlived its lifetime ("
                    + dataPath.sasl().maxSessionMillis() + " ms at most) without being renewed");
            return false;
        }
        return true;
    }

    private void refuseVersion(RequestFrame request) {
        ApiKeys api = request.apiKey();
        if (api == ApiKeys.API_VERSIONS) {
            // The protocol's own answer to a client newer than us: tell it which versions to retry with.
            int correlationId = request.correlationId();
            request.release();
            ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
            response.apiKeys().add(new ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id)
                    .setMinVersion(GatewayApis.oldestVersion(ApiKeys.API_VERSIONS.id))
                    .setMaxVersion(GatewayApis.latestVersion(ApiKeys.API_VERSIONS.id)));
            // Version 0 is the format every client can read, which is why the protocol prescribes it here.
            relay.answered(correlationId, ApiKeys.API_VERSIONS, (short) 0, System.nanoTime(),
                    DecodedResponse.frame(correlationId, ApiKeys.API_VERSIONS, (short) 0, response));
            return;
        }
        dataPath.metrics().requestFailed(api, "version_not_negotiated");
        throw new ProtocolViolation("version_not_negotiated", api.name + " v" + request.apiVersion()
                + " is outside the negotiated range " + versions.describe(api.id));
    }

    @Override
    public void waitOn(PendingRequest request, String interceptor) {
        state = ((Routed) state).paused(new Waiting(interceptor, request));
        updateReading();
        LOG.debug("{} v{} of client={} clientId={} waits on interceptor {}", request.apiKey().name, request.apiVersion(),
                remote(), clientId, interceptor);
    }

    @Override
    public boolean stopWaiting(PendingRequest request) {
        if (!(state instanceof Routed routed) || !(routed.pause() instanceof Waiting waiting) || waiting.request() != request) {
            return false;
        }
        state = routed.paused(NOT_PAUSED);
        return true;
    }

    @Override
    public void requestsResumed() {
        handlePending();
    }

    @Override
    public void silence(String interceptor) {
        state = ((Routed) state).paused(new Silenced(interceptor));
        LOG.info("Request dropped by interceptor {}: connection of client={} clientId={} answers nothing more", interceptor,
                remote(), clientId);
        discardPending();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** After a dropped response, requests are no longer forwarded either. */
    @Override
    public void silenced() {
        if (state instanceof Routed routed && !(routed.pause() instanceof Silenced)) {
            if (routed.pause() instanceof Waiting waiting) {
                dataPath.metrics().requestFailed(waiting.request().apiKey(), "dropped");
                waiting.request().releaseIfUnsettled();
            }
            state = routed.paused(new Silenced("a dropped response"));
            discardPending();
            updateReading();
        }
    }

    private void discardPending() {
        for (RequestFrame request : pending) {
            dataPath.metrics().requestFailed(request.apiKey(), "dropped");
            request.release();
        }
        pending.clear();
    }

    /**
     * Between clusters, a walk that an interceptor lets go on waits until the connection forwards to the new one: the
     * request was not sent before the switch, so no cluster has it yet, and the interceptors after that one see the
     * cluster it goes to.
     */
    @Override
    public void onceForwarding(Runnable resume) {
        if (state instanceof Draining || state instanceof Connecting) {
            resumedAfterMove.add(resume);
        } else {
            resume.run();
        }
    }

    /** {@code expectsResponse} is false only for Produce with acks=0, the one request a broker never answers. */
    @Override
    public void forward(ByteBuf frame, int correlationId, ApiKeys api, short version, long received, boolean expectsResponse) {
        Channel upstream = ((Forwarding) state).upstream();
        if (expectsResponse) {
            relay.forwarded(correlationId, api, version, received, System.nanoTime());
        }
        upstream.write(frame, upstream.voidPromise());
    }

    /**
     * Backpressure, decided in one place. The client is read while its requests can be handled, the broker takes
     * writes, and not too many responses are owed; the upstream is read while the client takes writes and no
     * response waits on an interceptor.
     */
    @Override
    public void readinessChanged() {
        updateReading();
    }

    private void updateReading() {
        if (state instanceof Draining draining) {
            channel.config().setAutoRead(false);
            draining.from().upstream().config().setAutoRead(channel.isWritable() && relay.acceptsResponses());
            return;
        }
        if (!(state instanceof Forwarding forwarding)) {
            return;
        }
        boolean handling = forwarding.pause() instanceof NotPaused || forwarding.pause() instanceof Silenced;
        channel.config().setAutoRead(handling && forwarding.upstream().isWritable() && relay.acceptsRequests());
        forwarding.upstream().config().setAutoRead(channel.isWritable() && relay.acceptsResponses());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state instanceof Forwarding forwarding) {
            forwarding.upstream().flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateReading();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close("client_closed", "the client closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(CloseCause.label(cause), CloseCause.describe(cause));
    }

    // ---- upstream side, called by UpstreamHandler on the same event loop ---------------------------------------

    /**
     * The upstream connection closed or failed. Until it is ready, the connector's future reports that instead; an
     * upstream this connection has left for another cluster is no longer its concern.
     */
    void upstreamFailed(Channel upstream, String cause, String reason) {
        if (servedBy(upstream)) {
            // While draining, too: the requests in flight there will not be answered, and only a close tells the
            // client to send them again.
            close(cause, reason);
        }
    }

    void upstreamWritabilityChanged(Channel upstream) {
        if (servedBy(upstream)) {
            updateReading();
        }
    }

    private boolean servedBy(Channel upstream) {
        return state instanceof Forwarding forwarding && forwarding.upstream() == upstream
                || state instanceof Draining draining && draining.from().upstream() == upstream;
    }

    // ---- cluster switches -------------------------------------------------------------------------------------

    /**
     * Runs a task on this connection's event loop, where all its state lives. False when it will not run: the
     * connection has no channel yet, or its event loop has shut down.
     */
    boolean onEventLoop(Runnable task) {
        if (channel == null) {
            return false;
        }
        try {
            channel.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * The active cluster changed. The connection moves to it rather than close, so that the client sees no broker go
     * down: librdkafka reports ALL_BROKERS_DOWN when every connection it has closes at once, which kcat, unless
     * given {@code -E}, takes for fatal, and an application may too.
     *
     * <ul>
     *   <li><b>Requests in flight</b> (forwarded, not yet answered) are answered by the cluster that took them: the
     *       connection drains first. The client is not read meanwhile, and what it sent waits in order for the new
     *       cluster. If those answers do not all come within {@link #DRAIN_TIMEOUT_MILLIS}, or that cluster's
     *       connection closes, the connection closes instead, and the client sends them again after reconnecting,
     *       as after any broker disconnect.</li>
     *   <li><b>Requests an interceptor holds</b> (a produce hold's) were never forwarded: once the hold lets them
     *       go, they walk on through the interceptors after it when the connection forwards to the new cluster, and
     *       go there, once.</li>
     *   <li><b>Where it goes:</b> a connection to the bootstrap port to any broker of the new cluster; one to the
     *       port of virtual node N to the new cluster's broker behind N. When the new cluster has no broker behind N,
     *       it goes to any broker, as a new connection there would: the client's next metadata leaves N out, and its
     *       requests there are answered NOT_LEADER_OR_FOLLOWER or NOT_COORDINATOR until it looks again.</li>
     *   <li>The client learns of the new cluster from answers, not from a disconnect: UNKNOWN_TOPIC_ID,
     *       NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR and UNKNOWN_MEMBER_ID make it refresh its metadata, find its
     *       coordinator and rejoin its group, and the fetch fence keeps group members from their old positions
     *       meanwhile. The API versions negotiated with the old cluster stay; a broker of the new cluster that lacks
     *       one closes the connection, and the client negotiates again on its next.</li>
     *   <li>A silenced connection (a chaos rule dropped a request) closes: it hangs by design.</li>
     * </ul>
     */
    void clusterSwitched(String cause, String reason) {
        State current = state;
        if (current instanceof Forwarding forwarding) {
            if (forwarding.pause() instanceof Silenced) {
                close(cause, reason);
                return;
            }
            ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> drainTimedOut(cause, reason),
                    DRAIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            state = new Draining(forwarding, deadline);
            updateReading();
            moveIfDrained();
        } else if (current instanceof Connecting connecting) {
            // Nothing was forwarded yet: it connects to the new cluster instead.
            connecting.upstream().cancel(false);
            dataPath.metrics().connectionMoved();
            route(dataPath.clusters().active(), false, connecting.pause());
        }
        // Accepted and Discovering have no cluster yet and route to the one active when they do; a draining
        // connection moves to whichever is active when it is drained.
    }

    /** The relay owes nothing more: a draining connection can move. Deferred, never run inside the relay's call. */
    @Override
    public void answeredAll() {
        if (state instanceof Draining) {
            channel.eventLoop().execute(this::moveIfDrained);
        }
    }

    private void moveIfDrained() {
        if (!(state instanceof Draining draining) || !relay.idle()) {
            return;
        }
        draining.deadline().cancel(false);
        Forwarding from = draining.from();
        if (from.pause() instanceof Silenced) {
            close("cluster_switch", "a dropped request silenced the connection before it could move");
            return;
        }
        identified = false; // so its next request counts as the application's return, as on a new connection
        dataPath.metrics().connectionMoved();
        UpstreamCluster active = dataPath.clusters().active();
        LOG.debug("Connection moves from cluster {} to {}: client={} clientId={} listener={}", from.cluster().name(),
                active.name(), remote(), clientId, listener);
        route(active, false, from.pause());
        from.upstream().close(); // after the state left it, so that its close is no longer this connection's concern
    }

    private void drainTimedOut(String cause, String reason) {
        if (state instanceof Draining draining) {
            close(cause, reason + "; the requests in flight to cluster " + draining.from().cluster().name()
                    + " were not answered within " + DRAIN_TIMEOUT_MILLIS + " ms");
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /** Closes this connection if {@code which} picks it by what it knows of itself; on the event loop. */
    void closeIf(Predicate<ConnectionContext> which, String cause, String reason) {
        if (!(state instanceof Closed) && context != null && which.test(context)) {
            close(cause, reason);
        }
    }

    @Override
    public void fail(RuntimeException e) {
        if (e instanceof InterceptorChain.InterceptorFailure failure) {
            dataPath.metrics().interceptorFailed(failure.interceptor());
            LOG.debug("Interceptor {} failed on client={}", failure.interceptor(), remote(), failure);
            close("interceptor_failed", CloseCause.describe(failure));
        } else {
            close(CloseCause.label(e), CloseCause.describe(e));
        }
    }

    /** Closes both sides once. {@code cause} is a short label for metrics, {@code reason} the sentence logged. */
    @Override
    public void close(String cause, String reason) {
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
        if (relay != null) {
            relay.close(cause);
        }
        for (RequestFrame request : pending) {
            dataPath.metrics().requestFailed(request.apiKey(), cause);
            request.release();
        }
        pending.clear();
        resumedAfterMove.clear(); // their requests wait in the pause, released below
        if (previous instanceof Routed routed && routed.pause() instanceof Waiting waiting) {
            dataPath.metrics().requestFailed(waiting.request().apiKey(), cause);
            waiting.request().releaseIfUnsettled();
        }
        if (previous instanceof Forwarding forwarding) {
            forwarding.upstream().close();
        } else if (previous instanceof Draining draining) {
            draining.deadline().cancel(false);
            draining.from().upstream().close();
        } else if (previous instanceof Connecting connecting) {
            connecting.upstream().cancel(false);
        }
        if (channel != null) {
            channel.close();
            dataPath.connections().remove(this);
            dataPath.metrics().connectionClosed(cause);
        }
        if (admitted) {
            dataPath.admission().closed(context);
        }
        if (chain != null) {
            try {
                chain.connectionClosed(context);
            } catch (InterceptorChain.InterceptorFailure failure) {
                dataPath.metrics().interceptorFailed(failure.interceptor());
                LOG.debug("Interceptor {} failed on the close of client={}", failure.interceptor(), remote(), failure);
            }
        }
    }

    private String remote() {
        return channel == null ? "?" : String.valueOf(channel.remoteAddress());
    }
}
