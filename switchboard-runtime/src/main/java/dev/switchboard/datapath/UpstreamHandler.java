package dev.switchboard.datapath;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** The upstream end of a client connection: hands the upstream channel's events back to it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final ClientConnection connection;

    UpstreamHandler(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.upstreamWritabilityChanged(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.upstreamFailed(ctx.channel(), "upstream_closed", "the upstream broker closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String label = cause instanceof ProtocolViolation violation ? violation.cause() : "upstream_error";
        connection.upstreamFailed(ctx.channel(), label, "upstream connection failed: " + CloseCause.describe(cause));
    }
}
