package dev.switchboard.datapath;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
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
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

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
        return open(loop, cluster, target, () -> new ResponseStreamDecoder(connection.relay()), new UpstreamHandler(connection));
    }

    /**
     * Asks {@code target} of {@code cluster} for its API versions, cut down to the gateway's, on a connection of the
     * gateway's own that closes once answered. Fails with an {@link UpstreamConnectFailure}.
     */
    Future<List<ApiVersion>> askApiVersions(EventLoop loop, UpstreamCluster cluster, HostPort target) {
        Promise<List<ApiVersion>> answer = loop.newPromise();
        String upstream = target + " of cluster " + cluster.name();
        ApiVersionsProbe probe = new ApiVersionsProbe(answer, upstream);
        open(loop, cluster, target, () -> new KafkaFrameDecoder(MAX_SASL_RESPONSE_BYTES), probe).addListener(ready -> {
            if (ready.isSuccess()) {
                Channel channel = (Channel) ready.getNow();
                probe.ask(channel.pipeline().context(probe));
            } else {
                answer.tryFailure(ready.cause());
            }
        });
        return answer;
    }

    /**
     * Opens a connection through TLS and SASL as the cluster asks. Once it is ready, {@code decoder} reads its
     * responses and hands them to {@code last}.
     */
    private Future<Channel> open(EventLoop loop, UpstreamCluster cluster, HostPort target, Supplier<ChannelHandler> decoder,
                                 ChannelHandler last) {
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
                            // Whole frames while authenticating; the decoder once authenticated, see authenticate().
                            pipeline.addLast(SASL_FRAME_DECODER, new KafkaFrameDecoder(MAX_SASL_RESPONSE_BYTES));
                            pipeline.addLast("sasl", new UpstreamSaslAuthenticator(sasl, upstream, target.host()));
                        } else {
                            pipeline.addLast(RESPONSE_DECODER, decoder.get());
                        }
                        pipeline.addLast("upstream", last);
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
                secure(tcp.channel(), upstream, ready, decoder);
            } else {
                ready.tryFailure(new UpstreamConnectFailure("upstream_unreachable", "cannot reach " + upstream + ": "
                        + CloseCause.describe(tcp.cause())));
            }
        });
        return ready;
    }

    private static void secure(Channel channel, String upstream, Promise<Channel> ready, Supplier<ChannelHandler> decoder) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            authenticate(channel, ready, decoder);
            return;
        }
        tls.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess()) {
                authenticate(channel, ready, decoder);
            } else {
                ready.tryFailure(new UpstreamConnectFailure("upstream_tls_failed", "TLS handshake with " + upstream
                        + " failed: " + CloseCause.describe(handshake.cause())));
            }
        });
    }

    private static void authenticate(Channel channel, Promise<Channel> ready, Supplier<ChannelHandler> decoder) {
        UpstreamSaslAuthenticator sasl = channel.pipeline().get(UpstreamSaslAuthenticator.class);
        if (sasl == null) {
            ready.trySuccess(channel);
            return;
        }
        sasl.authenticate().addListener(authentication -> {
            if (authentication.isSuccess()) {
                // Nothing is in flight after authentication, so the whole-frame decoder holds no bytes to hand over.
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addAfter(SASL_FRAME_DECODER, RESPONSE_DECODER, decoder.get());
                pipeline.remove(SASL_FRAME_DECODER);
                ready.trySuccess(channel);
            } else {
                ready.tryFailure(authentication.cause());
            }
        });
    }
}
