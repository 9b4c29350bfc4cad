package dev.switchboard.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** The upstream end of a client connection: hands each response frame and event back to it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final ClientConnection connection;

    UpstreamHandler(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.onResponse((ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushToClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.upstreamWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.upstreamFailed("upstream_closed", "the upstream broker closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.upstreamFailed("upstream_error", "upstream connection failed: " + ClientConnection.describe(cause));
    }
}
