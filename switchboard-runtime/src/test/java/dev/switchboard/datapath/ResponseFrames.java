package dev.switchboard.datapath;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Puts the parts the gateway wrote to a client back together into frames, as a client's socket would. */
final class ResponseFrames {

    private final ByteBuf pending = Unpooled.buffer();

    /** Takes one written part (and releases it); appends the correlation id of every frame it completes. */
    void add(ByteBuf part, List<Integer> correlationIds) {
        pending.writeBytes(part);
        part.release();
        while (pending.readableBytes() >= KafkaFrameDecoder.SIZE_PREFIX
                && pending.readableBytes() >= KafkaFrameDecoder.SIZE_PREFIX + pending.getInt(pending.readerIndex())) {
            int size = pending.readInt();
            correlationIds.add(pending.getInt(pending.readerIndex()));
            pending.skipBytes(size);
        }
        pending.discardReadBytes();
    }
}
