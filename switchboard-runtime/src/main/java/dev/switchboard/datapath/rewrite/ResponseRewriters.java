package dev.switchboard.datapath.rewrite;

import java.nio.ByteBuffer;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.datapath.KafkaFrameDecoder;
import dev.switchboard.datapath.ProtocolViolation;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;

/** The rewriters by API key, and the decode/encode around them. */
public final class ResponseRewriters {

    private final ResponseRewriter<?>[] byApiKey = new ResponseRewriter<?>[Short.MAX_VALUE];

    public ResponseRewriters(List<ResponseRewriter<?>> rewriters) {
        for (ResponseRewriter<?> rewriter : rewriters) {
            byApiKey[rewriter.apiKey().id] = rewriter;
        }
    }

    /** Every rewriter a gateway needs so that no upstream address reaches a client. */
    public static ResponseRewriters standard() {
        return new ResponseRewriters(List.of(new ApiVersionsRewriter(), new MetadataRewriter(), new FindCoordinatorRewriter(),
                new DescribeClusterRewriter(), new DescribeConfigsRewriter(), new ProduceRewriter(), new ShareFetchRewriter(),
                new ShareAcknowledgeRewriter(), new DescribeTopicPartitionsRewriter(), new FetchRewriter(),
                new OffsetCommitRewriter(), new InitProducerIdRewriter()));
    }

    /** Whether a response can be rewritten at all when the connection asks for it, whatever its version. */
    public boolean canRewrite(ApiKeys apiKey) {
        return byApiKey[apiKey.id] != null;
    }

    /** Whether a response must be decoded at all. This is the hot-path check. */
    public boolean interestedIn(ApiKeys apiKey, short version) {
        ResponseRewriter<?> rewriter = byApiKey[apiKey.id];
        return rewriter != null && rewriter.appliesTo(version);
    }

    /**
     * Rewrites one response frame (size prefix included). Returns the frame to send: the same buffer when
     * nothing changed, else a new one, in which case {@code frame} has been released.
     */
    public ByteBuf rewrite(ByteBuf frame, ApiKeys apiKey, short version, RewriteContext context) {
        ByteBuffer buffer = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
        short headerVersion = apiKey.responseHeaderVersion(version);
        ResponseHeaderData header;
        ApiMessage body;
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        try {
            header = new ResponseHeaderData(accessor, headerVersion);
        } catch (RuntimeException e) {
            throw new ProtocolViolation("upstream_protocol_error", "unreadable " + apiKey.name + " v" + version + " response header from upstream: " + e);
        }
        ByteBuffer bodyBytes = buffer.slice();
        try {
            body = decodeBody(apiKey, version, bodyBytes.duplicate());
        } catch (RuntimeException e) {
            if (apiKey != ApiKeys.API_VERSIONS) {
                throw new ProtocolViolation("upstream_protocol_error", "unreadable " + apiKey.name + " v" + version + " response from upstream: " + e);
            }
            // A broker that does not support the requested ApiVersions version answers in v0, as the protocol says.
            version = 0;
            body = decodeBody(apiKey, version, bodyBytes.duplicate());
        }
        if (!apply(byApiKey[apiKey.id], body, version, context)) {
            return frame;
        }
        ByteBuffer encoded = RequestUtils.serialize(header, headerVersion, body, version);
        ByteBuf rewritten = Unpooled.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        rewritten.writeInt(encoded.remaining()).writeBytes(encoded);
        frame.release();
        return rewritten;
    }

    private static ApiMessage decodeBody(ApiKeys apiKey, short version, ByteBuffer bytes) {
        ApiMessage body = ApiMessageType.fromApiKey(apiKey.id).newResponse();
        body.read(new ByteBufferAccessor(bytes), version);
        return body;
    }

    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> boolean apply(ResponseRewriter<T> rewriter, ApiMessage body, short version,
                                                        RewriteContext context) {
        return rewriter.rewrite((T) body, version, context);
    }
}
