package dev.switchboard.datapath;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits a byte stream into Kafka frames: a 4-byte size, then that many bytes. The size prefix stays on the
 * frame, so a frame nobody rewrites is forwarded as the very buffer that arrived.
 *
 * <p>A size above the limit fails at once, before any of the frame is buffered; a negative size is corrupt.
 */
public final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {

    public static final int SIZE_PREFIX = 4;

    public KafkaFrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes + SIZE_PREFIX, 0, SIZE_PREFIX, 0, 0, true);
    }
}
