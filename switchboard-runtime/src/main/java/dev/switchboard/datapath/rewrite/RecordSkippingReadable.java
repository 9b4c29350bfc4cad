package dev.switchboard.datapath.rewrite;

import java.nio.ByteBuffer;
import java.util.function.ToIntFunction;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.Readable;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Lets a generated message class read a response straight out of Netty buffers, however many, and skip its
 * record batches: enough to inspect a Fetch response's structure without copying the megabytes it carries.
 * Records read this way are empty; a message read with it is for inspection, never for forwarding.
 */
public final class RecordSkippingReadable implements Readable {

    /** The longest varint, a varlong, takes ten bytes. */
    private static final int MAX_VARINT_BYTES = 10;

    private final ByteBuf buf;

    public RecordSkippingReadable(ByteBuf buf) {
        this.buf = buf;
    }

    @Override
    public byte readByte() {
        return buf.readByte();
    }

    @Override
    public short readShort() {
        return buf.readShort();
    }

    @Override
    public int readInt() {
        return buf.readInt();
    }

    @Override
    public long readLong() {
        return buf.readLong();
    }

    @Override
    public double readDouble() {
        return buf.readDouble();
    }

    @Override
    public byte[] readArray(int size) {
        byte[] bytes = new byte[size];
        buf.readBytes(bytes);
        return bytes;
    }

    @Override
    public int readUnsignedVarint() {
        return readVar(ByteUtils::readUnsignedVarint);
    }

    @Override
    public int readVarint() {
        return readVar(ByteUtils::readVarint);
    }

    @Override
    public long readVarlong() {
        ByteBuffer window = window();
        long value = ByteUtils.readVarlong(window);
        buf.skipBytes(window.position());
        return value;
    }

    @Override
    public ByteBuffer readByteBuffer(int length) {
        return ByteBuffer.wrap(readArray(length));
    }

    @Override
    public MemoryRecords readRecords(int length) {
        if (length < 0) {
            return null;
        }
        buf.skipBytes(length);
        return MemoryRecords.EMPTY;
    }

    @Override
    public int remaining() {
        return buf.readableBytes();
    }

    @Override
    public Readable slice() {
        return new RecordSkippingReadable(buf.slice());
    }

    /** Kafka's own varint decoding, on a copy of at most ten bytes, then the buffer moves past what it used. */
    private int readVar(ToIntFunction<ByteBuffer> decoder) {
        ByteBuffer window = window();
        int value = decoder.applyAsInt(window);
        buf.skipBytes(window.position());
        return value;
    }

    private ByteBuffer window() {
        return buf.nioBuffer(buf.readerIndex(), Math.min(MAX_VARINT_BYTES, buf.readableBytes()));
    }
}
