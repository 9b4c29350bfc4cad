package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.MalformedRequestException;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * One request on its way through the interceptors: the frame as it arrived, its body decoded on first use, and how
 * far along the chain it has come. Owns the frame's reference until it is forwarded or released.
 */
final class PendingRequest implements InterceptedRequest {

    private final RequestFrame frame;
    private final long receivedNanos;
    private ApiMessage message;
    private int unreadBytes;
    private boolean modified;
    /** Forwarded or released: the frame's reference is no longer this request's. */
    private boolean settled;
    /** The index of the next interceptor to see this request. */
    int nextInterceptor;

    PendingRequest(RequestFrame frame, long receivedNanos) {
        this.frame = frame;
        this.receivedNanos = receivedNanos;
    }

    RequestFrame frame() {
        return frame;
    }

    long receivedNanos() {
        return receivedNanos;
    }

    @Override
    public RequestHeader header() {
        return frame.header();
    }

    @Override
    public ApiMessage message() {
        if (message == null) {
            ByteBufferAccessor accessor = new ByteBufferAccessor(frame.body().duplicate());
            try {
                ApiMessage decoded = ApiMessageType.fromApiKey(apiKey().id).newRequest();
                decoded.read(accessor, apiVersion());
                message = decoded;
            } catch (RuntimeException e) {
                throw new MalformedRequestException("unreadable " + apiKey().name + " v" + apiVersion() + " request body: "
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
            }
            unreadBytes = accessor.remaining();
        }
        return message;
    }

    @Override
    public int unreadBytes() {
        message();
        return unreadBytes;
    }

    @Override
    public boolean expectsResponse() {
        if (apiKey() != ApiKeys.PRODUCE) {
            return true;
        }
        if (modified && message instanceof ProduceRequestData produce) {
            return produce.acks() != 0;
        }
        return ProduceAcks.peek(frame.body(), apiVersion()) != 0;
    }

    @Override
    public int size() {
        return frame.size();
    }

    /**
     * The error response a broker would give to this request, as an interceptor before may have changed it (see
     * {@link ErrorResponses}).
     */
    ApiMessage errorResponse(RequestAction.AnswerError error) {
        ByteBuffer body = modified ? MessageUtil.toByteBufferAccessor(message(), apiVersion()).buffer() : frame.body().duplicate();
        AbstractRequest parsed;
        try {
            parsed = AbstractRequest.parseRequest(apiKey(), apiVersion(), new ByteBufferAccessor(body)).request;
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable " + apiKey().name + " v" + apiVersion() + " request: "
                    + e.getMessage());
        }
        return ErrorResponses.of(parsed, error.error(), error.message());
    }

    void markModified() {
        modified = true;
    }

    /**
     * The bytes to send upstream: the frame as it arrived, or the modified body re-encoded behind the same header.
     * Either way this request's reference passes to the caller.
     */
    ByteBuf frameToForward() {
        if (!modified) {
            settled = true;
            return frame.frame();
        }
        ByteBuffer encoded = RequestUtils.serialize(header().data(), header().headerVersion(), message(), apiVersion());
        ByteBuf rewritten = Unpooled.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        rewritten.writeInt(encoded.remaining()).writeBytes(encoded);
        release();
        return rewritten;
    }

    void release() {
        settled = true;
        frame.release();
    }

    /** For error paths that cannot tell how far the request got. */
    void releaseIfUnsettled() {
        if (!settled) {
            release();
        }
    }
}
