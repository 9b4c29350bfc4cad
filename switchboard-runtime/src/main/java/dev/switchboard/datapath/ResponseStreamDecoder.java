package dev.switchboard.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Splits the upstream byte stream into responses without waiting for whole responses where it need not.
 *
 * <p>Once a response's size and correlation id have arrived, the connection says how it wants the response
 * ({@link ClientConnection#receiveMode}):
 * <ul>
 *   <li>{@link Mode#STREAM}: every byte goes on to the client as soon as it arrives, as a slice of the buffer it
 *       was read into. A multi-megabyte Fetch response reaches the client while the broker is still sending
 *       it, instead of after, and is never copied.</li>
 *   <li>{@link Mode#BUFFER}: the response is gathered whole, without copying, for a rewriter to decode.</li>
 * </ul>
 */
final class ResponseStreamDecoder extends ChannelInboundHandlerAdapter {

    /** Size prefix and correlation id: what must arrive before a response's fate can be decided. */
    private static final int HEADER_BYTES = 8;

    enum Mode { STREAM, BUFFER }

    private final ClientConnection connection;
    private ByteBuf header;
    private Mode mode;
    private int remaining;
    private CompositeByteBuf gathered;

    ResponseStreamDecoder(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        header = ctx.alloc().buffer(HEADER_BYTES, HEADER_BYTES);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && header != null) {
                if (mode == null) {
                    readHeader(ctx, in);
                } else {
                    readBody(in);
                }
            }
        } finally {
            in.release();
        }
    }

    private void readHeader(ChannelHandlerContext ctx, ByteBuf in) {
        in.readBytes(header, Math.min(header.writableBytes(), in.readableBytes()));
        if (header.isWritable()) {
            return;
        }
        int size = header.getInt(0);
        int correlationId = header.getInt(KafkaFrameDecoder.SIZE_PREFIX);
        if (size < HEADER_BYTES - KafkaFrameDecoder.SIZE_PREFIX) {
            throw new ProtocolViolation("upstream_protocol_error", "upstream sent a response of " + size + " bytes");
        }
        Mode decided = connection.receiveMode(correlationId, size);
        if (decided == null) {
            return; // the connection closed itself
        }
        mode = decided;
        remaining = size - (HEADER_BYTES - KafkaFrameDecoder.SIZE_PREFIX);
        ByteBuf start = header;
        header = ctx.alloc().buffer(HEADER_BYTES, HEADER_BYTES);
        if (mode == Mode.STREAM) {
            connection.streamStart(start, remaining == 0);
        } else {
            gathered = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            gathered.addComponent(true, start);
        }
        finishIfComplete();
    }

    private void readBody(ByteBuf in) {
        ByteBuf part = in.readRetainedSlice(Math.min(remaining, in.readableBytes()));
        remaining -= part.readableBytes();
        if (mode == Mode.STREAM) {
            connection.streamPart(part, remaining == 0);
        } else {
            gathered.addComponent(true, part);
        }
        finishIfComplete();
    }

    private void finishIfComplete() {
        if (remaining > 0) {
            return;
        }
        if (mode == Mode.BUFFER) {
            CompositeByteBuf frame = gathered;
            gathered = null;
            mode = null;
            connection.onResponse(frame);
        } else {
            mode = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushToClient();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }

    private void releaseAll() {
        if (header != null) {
            header.release();
            header = null;
        }
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
    }
}
