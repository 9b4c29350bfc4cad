package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One client request: its decoded header and the whole frame, size prefix included, as opaque bytes.
 *
 * <p>Owns one reference to {@code frame}; whoever consumes it forwards or releases it.
 *
 * @param body the request body as a view of {@code frame}, for the few APIs whose body is inspected
 */
public record RequestFrame(RequestHeader header, ByteBuf frame, ByteBuffer body) {

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public int correlationId() {
        return header.correlationId();
    }

    public int size() {
        return frame.readableBytes();
    }

    public void release() {
        frame.release();
    }
}
