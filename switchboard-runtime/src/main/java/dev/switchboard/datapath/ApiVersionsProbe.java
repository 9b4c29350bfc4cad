package dev.switchboard.datapath;

import java.nio.ByteBuffer;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;
import dev.switchboard.datapath.rewrite.ApiVersionsRewriter;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

/**
 * The gateway's own ApiVersions request on a connection of its own, ready to forward (through TLS and SASL): the
 * cluster's versions, cut down to the gateway's. The connection closes once answered.
 */
final class ApiVersionsProbe extends ChannelInboundHandlerAdapter {

    /** Version 3, the first with a flexible body, which every broker since Kafka 2.4 answers. */
    private static final short VERSION = 3;
    private static final int CORRELATION_ID = 1;

    private final Promise<List<ApiVersion>> answer;
    private final String upstream;

    ApiVersionsProbe(Promise<List<ApiVersion>> answer, String upstream) {
        this.answer = answer;
        this.upstream = upstream;
    }

    void ask(ChannelHandlerContext ctx) {
        ApiVersionsRequestData request = new ApiVersionsRequestData().setClientSoftwareName(GatewayRequest.CLIENT_ID)
                .setClientSoftwareVersion("1");
        ctx.writeAndFlush(GatewayRequest.frame(ctx.alloc(), ApiKeys.API_VERSIONS, VERSION, CORRELATION_ID, request))
                .addListener((ChannelFutureListener) written -> {
                    if (!written.isSuccess()) {
                        fail(ctx, "cannot send ApiVersions: " + CloseCause.describe(written.cause()));
                    }
                });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            ByteBuffer body = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
            ByteBufferAccessor accessor = new ByteBufferAccessor(body);
            new ResponseHeaderData(accessor, ApiKeys.API_VERSIONS.responseHeaderVersion(VERSION));
            ApiVersionsResponseData response = new ApiVersionsResponseData(accessor, VERSION);
            if (response.errorCode() != Errors.NONE.code()) {
                fail(ctx, "ApiVersions answered " + Errors.forCode(response.errorCode()).name());
                return;
            }
            ApiVersionsRewriter.cutDown(response);
            answer.trySuccess(List.copyOf(response.apiKeys()));
            ctx.close();
        } catch (RuntimeException e) {
            fail(ctx, "unreadable ApiVersions response: " + e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the broker closed the connection before answering ApiVersions");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, CloseCause.describe(cause));
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (answer.tryFailure(new UpstreamConnectFailure("upstream_versions_unknown", "cannot learn the API versions of "
                + upstream + ": " + reason))) {
            ctx.close();
        }
    }
}
