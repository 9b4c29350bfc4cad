package dev.switchboard.datapath;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.HostPort;

/**
 * Opens the upstream connection of one client connection, on the client's own event loop, so the pair shares
 * one thread and needs no locks, and says when it is ready to forward.
 */
public final class UpstreamConnector {

    /** Responses are trusted; the bound only stops a broken broker from exhausting memory. */
    private static final int MAX_RESPONSE_BYTES = Integer.MAX_VALUE - KafkaFrameDecoder.SIZE_PREFIX;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Transport transport;
    private final WriteBufferWaterMark waterMark;

    public UpstreamConnector(Transport transport, WriteBufferWaterMark waterMark) {
        this.transport = transport;
        this.waterMark = waterMark;
    }

    /**
     * Connects to {@code target} of {@code cluster}. The future completes once the connection is ready to
     * forward, or fails with an {@link UpstreamConnectFailure} that says why not; cancelling it closes the
     * connection.
     */
    Future<Channel> connect(EventLoop loop, UpstreamCluster cluster, HostPort target, ClientConnection connection) {
        String upstream = target + " of cluster " + cluster.name();
        ChannelFuture connected = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("frame-decoder", new KafkaFrameDecoder(MAX_RESPONSE_BYTES))
                                .addLast("upstream", new UpstreamHandler(connection));
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
                ready.trySuccess(tcp.channel());
            } else {
                ready.tryFailure(new UpstreamConnectFailure("upstream_unreachable", "cannot reach " + upstream + ": "
                        + ClientConnection.describe(tcp.cause())));
            }
        });
        return ready;
    }
}
