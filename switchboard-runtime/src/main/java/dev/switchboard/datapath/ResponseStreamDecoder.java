package dev.switchboard.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Splits the upstream byte stream into responses without waiting for whole responses where it need not.
 *
 * <p>Once a response's size and correlation id have arrived, the connection says how it wants the response
 * ({@link ResponseRelay#receiveMode}):
 * <ul>
 *   <li>{@link Mode#STREAM}: every byte goes on to the client as soon as it arrives, as a slice of the buffer it
 *       was read into. A multi-megabyte Fetch response reaches the client while the broker is still sending
 *       it, instead of after, and is never copied.</li>
 *   <li>{@link Mode#BUFFER}: the response is gathered whole, without copying, for a rewriter to decode.</li>
 *   <li>{@link Mode#STREAM_WITH_TAIL}: streamed like {@code STREAM}, except for its last {@link #HELD_BACK_BYTES},
 *       which wait until the whole response has been inspected, because the tail may need rewriting (Fetch
 *       v16+, whose KIP-951 leader endpoints come last).</li>
 * </ul>
 */
final class ResponseStreamDecoder extends ChannelInboundHandlerAdapter {

    /** Size prefix and correlation id: what must arrive before a response's fate can be decided. */
    private static final int HEADER_BYTES = 8;

    enum Mode { STREAM, BUFFER, STREAM_WITH_TAIL }

    /** The most a rewritable tail can be: leader endpoints of dozens of brokers fit with room to spare. */
    static final int HELD_BACK_BYTES = 64 * 1024;

    private final ResponseRelay connection;
    /**
     * A header that arrived split across reads, gathered here. Plain bytes, not a pooled buffer: nothing is held
     * between responses, so an idle upstream connection owns no buffer and a channel torn down mid-way leaks none.
     */
    private final byte[] splitHeader = new byte[HEADER_BYTES];
    private int splitHeaderBytes;
    /** Set once the connection closed itself or the handler was removed: whatever arrives after is dropped. */
    private boolean discarding;
    private Mode mode;
    private int remaining;
    private CompositeByteBuf gathered;
    /** For STREAM_WITH_TAIL: the frame's length, how much of it has arrived, and the tail not yet sent. */
    private int frameLength;
    private int arrived;
    private CompositeByteBuf held;

    ResponseStreamDecoder(ResponseRelay connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && !discarding) {
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
        ByteBuf start = takeHeader(in);
        if (start == null) {
            return;
        }
        int size = start.getInt(start.readerIndex());
        int correlationId = start.getInt(start.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX);
        if (size < HEADER_BYTES - KafkaFrameDecoder.SIZE_PREFIX) {
            start.release();
            discarding = true;
            throw new ProtocolViolation("upstream_protocol_error", "upstream sent a response of " + size + " bytes");
        }
        Mode decided;
        try {
            decided = connection.receiveMode(correlationId, size);
        } catch (RuntimeException e) {
            start.release();
            discarding = true;
            throw e;
        }
        if (decided == null) {
            start.release();
            discarding = true; // the connection closed itself
            return;
        }
        mode = decided;
        remaining = size - (HEADER_BYTES - KafkaFrameDecoder.SIZE_PREFIX);
        if (mode == Mode.STREAM) {
            connection.streamStart(start, remaining == 0);
        } else if (mode == Mode.BUFFER) {
            gathered = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            gathered.addComponent(true, start);
        } else {
            gathered = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            held = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            frameLength = KafkaFrameDecoder.SIZE_PREFIX + size;
            arrived = 0;
            streamAllButTail(start);
        }
        finishIfComplete();
    }

    /**
     * The next response's size and correlation id once all 8 bytes are here, else null. Usually they arrive
     * together and are a slice of the read buffer; a header split across reads is gathered and copied.
     */
    private ByteBuf takeHeader(ByteBuf in) {
        if (splitHeaderBytes == 0 && in.readableBytes() >= HEADER_BYTES) {
            return in.readRetainedSlice(HEADER_BYTES);
        }
        int take = Math.min(HEADER_BYTES - splitHeaderBytes, in.readableBytes());
        in.readBytes(splitHeader, splitHeaderBytes, take);
        splitHeaderBytes += take;
        if (splitHeaderBytes < HEADER_BYTES) {
            return null;
        }
        splitHeaderBytes = 0;
        return Unpooled.copiedBuffer(splitHeader);
    }

    private void readBody(ByteBuf in) {
        ByteBuf part = in.readRetainedSlice(Math.min(remaining, in.readableBytes()));
        remaining -= part.readableBytes();
        if (mode == Mode.STREAM) {
            connection.streamPart(part, remaining == 0);
        } else if (mode == Mode.BUFFER) {
            gathered.addComponent(true, part);
        } else {
            streamAllButTail(part);
        }
        finishIfComplete();
    }

    /** Sends what lies before the held-back tail now, keeps the rest, and keeps all of it for inspection. */
    private void streamAllButTail(ByteBuf part) {
        gathered.addComponent(true, part.retainedDuplicate());
        int sendable = Math.max(0, Math.min(part.readableBytes(), frameLength - HELD_BACK_BYTES - arrived));
        arrived += part.readableBytes();
        if (sendable > 0) {
            connection.streamPart(part.readRetainedSlice(sendable), false);
        }
        if (part.isReadable()) {
            held.addComponent(true, part.retain());
        }
        part.release();
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
        } else if (mode == Mode.STREAM_WITH_TAIL) {
            CompositeByteBuf frame = gathered;
            CompositeByteBuf tail = held;
            gathered = null;
            held = null;
            mode = null;
            connection.streamTail(frame, tail);
        } else {
            mode = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushClient();
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
        discarding = true;
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
