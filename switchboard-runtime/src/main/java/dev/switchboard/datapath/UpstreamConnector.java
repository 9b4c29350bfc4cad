package dev.switchboard.datapath;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.SaslConfig;

/**
 * Opens the upstream connection of one client connection, on the client's own event loop, so the pair shares
 * one thread and needs no locks, and makes it ready to forward: TCP, then TLS and SASL if the cluster's
 * security protocol asks for them.
 *
 * <p>The upstream pipeline, in order:
 * <pre>
 *   tls                  {@link io.netty.handler.ssl.SslHandler}, for SSL and SASL_SSL
 *   sasl-frame-decoder   {@link KafkaFrameDecoder}: whole response frames, only while authenticating
 *   sasl                 {@link UpstreamSaslAuthenticator}, for SASL_PLAINTEXT and SASL_SSL, until authenticated
 *   response-decoder     {@link ResponseStreamDecoder}: responses streamed or gathered, once ready
 *   upstream             {@link UpstreamHandler}: the upstream channel's events, for the client connection
 * </pre>
 */
public class UpstreamConnector {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final String SASL_FRAME_DECODER = "sasl-frame-decoder";
    private static final String RESPONSE_DECODER = "response-decoder";
    /** SASL responses are a few hundred bytes; anything near this is not a SASL response. */
    private static final int MAX_SASL_RESPONSE_BYTES = 1024 * 1024;

    private final Transport transport;
    private final WriteBufferWaterMark waterMark;
    private final Map<String, UpstreamTls> tlsByCluster = new HashMap<>();
    private final Map<String, SaslConfig> saslByCluster = new HashMap<>();

    /** For tests that stand an in-memory channel in for the upstream connection, by overriding {@link #connect}. */
    UpstreamConnector() {
        this(null, null, List.of());
    }

    public UpstreamConnector(Transport transport, WriteBufferWaterMark waterMark, List<ClusterConfig> clusters) {
        this.transport = transport;
        this.waterMark = waterMark;
        for (ClusterConfig cluster : clusters) {
            cluster.tls().ifPresent(tls -> tlsByCluster.put(cluster.name(), new UpstreamTls(cluster.name(), tls)));
            cluster.sasl().ifPresent(sasl -> saslByCluster.put(cluster.name(), sasl));
        }
    }

    /**
     * Connects to {@code target} of {@code cluster}. The future completes once the connection is ready to
     * forward, or fails with an {@link UpstreamConnectFailure} that says why not; cancelling it closes the
     * connection.
     */
    Future<Channel> connect(EventLoop loop, UpstreamCluster cluster, HostPort target, ClientConnection connection) {
        String upstream = target + " of cluster " + cluster.name();
        UpstreamTls tls = tlsByCluster.get(cluster.name());
        SaslConfig sasl = saslByCluster.get(cluster.name());
        ChannelFuture connected = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        if (tls != null) {
                            pipeline.addLast("tls", tls.newHandler(channel.alloc(), target));
                        }
                        if (sasl != null) {
                            // Whole frames while authenticating; streaming once authenticated, see authenticate().
                            pipeline.addLast(SASL_FRAME_DECODER, new KafkaFrameDecoder(MAX_SASL_RESPONSE_BYTES));
                            pipeline.addLast("sasl", new UpstreamSaslAuthenticator(sasl, upstream, target.host()));
                        } else {
                            pipeline.addLast(RESPONSE_DECODER, new ResponseStreamDecoder(connection.relay()));
                        }
                        pipeline.addLast("upstream", new UpstreamHandler(connection));
                    }
                })
                .connect(target.host(), target.port());
        Promise<Channel> ready = loop.newPromise();
        ready.addListener(done -> {
            if (!done.isSuccess()) {
                connected.channel().close();
            }
        });
        connected.addListener((ChannelFuture tcp) -> {
            if (tcp.isSuccess()) {
                secure(tcp.channel(), upstream, ready, connection);
            } else {
                ready.tryFailure(new UpstreamConnectFailure("upstream_unreachable", "cannot reach " + upstream + ": "
                        + CloseCause.describe(tcp.cause())));
            }
        });
        return ready;
    }

    private static void secure(Channel channel, String upstream, Promise<Channel> ready, ClientConnection connection) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            authenticate(channel, ready, connection);
            return;
        }
        tls.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess()) {
                authenticate(channel, ready, connection);
            } else {
                ready.tryFailure(new UpstreamConnectFailure("upstream_tls_failed", "TLS handshake with " + upstream
                        + " failed: " + CloseCause.describe(handshake.cause())));
            }
        });
    }

    private static void authenticate(Channel channel, Promise<Channel> ready, ClientConnection connection) {
        UpstreamSaslAuthenticator sasl = channel.pipeline().get(UpstreamSaslAuthenticator.class);
        if (sasl == null) {
            ready.trySuccess(channel);
            return;
        }
        sasl.authenticate().addListener(authentication -> {
            if (authentication.isSuccess()) {
                // Nothing is in flight after authentication, so the whole-frame decoder holds no bytes to hand over.
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addAfter(SASL_FRAME_DECODER, RESPONSE_DECODER, new ResponseStreamDecoder(connection.relay()));
                pipeline.remove(SASL_FRAME_DECODER);
                ready.trySuccess(channel);
            } else {
                ready.tryFailure(authentication.cause());
            }
        });
    }
}
