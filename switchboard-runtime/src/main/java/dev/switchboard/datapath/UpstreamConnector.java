package dev.switchboard.datapath;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import dev.switchboard.config.HostPort;

/**
 * Opens the upstream connection of one client connection, on the client's own event loop, so the pair shares
 * one thread and needs no locks.
 */
public final class UpstreamConnector {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Transport transport;
    private final WriteBufferWaterMark waterMark;

    public UpstreamConnector(Transport transport, WriteBufferWaterMark waterMark) {
        this.transport = transport;
        this.waterMark = waterMark;
    }

    ChannelFuture connect(EventLoop loop, HostPort target, ClientConnection connection) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("response-decoder", new ResponseStreamDecoder(connection))
                                .addLast("upstream", new UpstreamHandler(connection));
                    }
                })
                .connect(target.host(), target.port());
    }
}
