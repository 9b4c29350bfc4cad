package dev.switchboard.datapath;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits a byte stream into Kafka frames: a 4-byte size, then that many bytes. The size prefix stays on the
 * frame, so a frame nobody rewrites is forwarded as the very buffer that arrived.
 *
 * <p>A size above the limit fails at once, before any of the frame is buffered; a negative size is corrupt;
 * a stream that ends inside a frame is reported as truncated.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {

    public static final int SIZE_PREFIX = 4;

    public KafkaFrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes + SIZE_PREFIX, 0, SIZE_PREFIX, 0, 0, true);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (in.isReadable()) {
            int unfinished = in.readableBytes();
            String expected = unfinished >= SIZE_PREFIX ? String.valueOf(in.getInt(in.readerIndex()) + SIZE_PREFIX) : "at least 4";
            in.skipBytes(unfinished);
            // Fired, not thrown: a thrown exception would reach the connection after it saw the channel close.
            ctx.fireExceptionCaught(new ProtocolViolation("truncated_frame", "connection ended inside a frame: got "
                    + unfinished + " of " + expected + " bytes"));
        }
    }
}
