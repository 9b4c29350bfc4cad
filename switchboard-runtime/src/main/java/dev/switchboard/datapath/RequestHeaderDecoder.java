package dev.switchboard.datapath;

import java.nio.ByteBuffer;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import org.apache.kafka.common.requests.RequestHeader;

/** Decodes the request header of each frame, and nothing more, into a {@link RequestFrame}. */
public final class RequestHeaderDecoder extends MessageToMessageDecoder<ByteBuf> {

    /** api key (2) + api version (2) + correlation id (4): anything shorter is not a request. */
    private static final int MIN_HEADER_BYTES = 8;

    public RequestHeaderDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        int start = frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX;
        int length = frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX;
        if (length < MIN_HEADER_BYTES) {
            throw new ProtocolViolation("bad_header", "request of " + length + " bytes is too short for a request header");
        }
        int apiKey = frame.getShort(start);
        if (!GatewayApis.forwards(apiKey)) {
            throw new ProtocolViolation("unknown_api_key", "unknown or unsupported API key " + apiKey);
        }
        ByteBuffer buffer = frame.nioBuffer(start, length);
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_header", "unreadable request header for API key " + apiKey + ": " + e.getMessage());
        }
        // After parse() the buffer's position is the first byte of the body.
        out.add(new RequestFrame(header, frame.retain(), buffer.slice()));
    }
}
