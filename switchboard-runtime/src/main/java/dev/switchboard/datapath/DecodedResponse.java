package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.intercept.InterceptedResponse;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * A response frame decoded once, with kafka-clients' generated classes, for the rewriters and interceptors that
 * asked for it; encoded again only if one of them changed it. Records inside it are views of the frame, so the
 * frame must outlive it.
 *
 * @param version the version the body was read at: the request's, except for an ApiVersions answer a broker gave
 *                in v0 because it does not support the requested version, as the protocol prescribes
 */
record DecodedResponse(ApiKeys apiKey, short version, ResponseHeaderData header, ApiMessage message)
        implements InterceptedResponse {

    static DecodedResponse decode(ByteBuf frame, ApiKeys apiKey, short version) {
        ByteBuffer buffer = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
        short headerVersion = apiKey.responseHeaderVersion(version);
        ResponseHeaderData header;
        try {
            header = new ResponseHeaderData(new ByteBufferAccessor(buffer), headerVersion);
        } catch (RuntimeException e) {
            throw new ProtocolViolation("upstream_protocol_error", "unreadable " + apiKey.name + " v" + version
                    + " response header from upstream: " + e);
        }
        ByteBuffer body = buffer.slice();
        try {
            return new DecodedResponse(apiKey, version, header, readBody(apiKey, version, body.duplicate()));
        } catch (RuntimeException e) {
            if (apiKey != ApiKeys.API_VERSIONS) {
                throw new ProtocolViolation("upstream_protocol_error", "unreadable " + apiKey.name + " v" + version
                        + " response from upstream: " + e);
            }
            return new DecodedResponse(apiKey, (short) 0, header, readBody(apiKey, (short) 0, body.duplicate()));
        }
    }

    private static ApiMessage readBody(ApiKeys apiKey, short version, ByteBuffer bytes) {
        ApiMessage body = ApiMessageType.fromApiKey(apiKey.id).newResponse();
        body.read(new ByteBufferAccessor(bytes), version);
        return body;
    }

    /** A new frame, size prefix included, of the header and the (changed) body. */
    ByteBuf encode() {
        return frame(header, apiKey, version, message);
    }

    /** A response frame: size prefix, header and body, in the given version. */
    static ByteBuf frame(ResponseHeaderData header, ApiKeys apiKey, short version, ApiMessage body) {
        ByteBuffer encoded = RequestUtils.serialize(header, apiKey.responseHeaderVersion(version), body, version);
        ByteBuf frame = Unpooled.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        frame.writeInt(encoded.remaining()).writeBytes(encoded);
        return frame;
    }

    static ByteBuf frame(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
        return frame(new ResponseHeaderData().setCorrelationId(correlationId), apiKey, version, body);
    }

    @Override
    public short apiVersion() {
        return version;
    }

    @Override
    public int correlationId() {
        return header.correlationId();
    }
}
