package dev.switchboard.datapath.rewrite;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.datapath.KafkaFrameDecoder;
import dev.switchboard.datapath.ProtocolViolation;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.types.RawTaggedField;

/**
 * Fetch responses from v16 carry KIP-951 leader endpoints in their top-level tagged fields, which come last.
 * So a Fetch response can stream to the client while it arrives, except for a held-back tail; once it is
 * complete this class decides what that tail becomes.
 *
 * <p>The client has already been told the response's size, so a rewritten tail must keep the original
 * length. Endpoints rewritten to gateway addresses are padded to it with a filler tagged field, which every
 * client skips. If the gateway's addresses do not fit, the endpoints are replaced by filler entirely: the
 * client then learns the new leader from a metadata refresh, as before KIP-951. Either way no upstream address
 * reaches the client.
 */
public final class FetchTailRewriter {

    public static final short FIRST_VERSION_WITH_ENDPOINTS = 16;

    /** A tag no Kafka version uses for Fetch responses, so clients skip it as unknown. */
    static final int FILLER_TAG = 127;

    /** What to send in place of the response's last {@code length} bytes. */
    public record Tail(int length, ByteBuf replacement, boolean endpointsKept) {
    }

    private FetchTailRewriter() {
    }

    public static boolean appliesTo(ApiKeys api, short version) {
        return api == ApiKeys.FETCH && version >= FIRST_VERSION_WITH_ENDPOINTS;
    }

    /**
     * @param frame the whole response, size prefix included; read, never consumed or released
     * @return the replacement tail, or null when the response carries no endpoints and goes out as it came
     */
    public static Tail rewrite(ByteBuf frame, short version, RewriteContext context) {
        FetchResponseData response = new FetchResponseData();
        try {
            RecordSkippingReadable readable = new RecordSkippingReadable(frame.slice(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX));
            new ResponseHeaderData(readable, ApiKeys.FETCH.responseHeaderVersion(version));
            response.read(readable, version);
        } catch (RuntimeException e) {
            throw new ProtocolViolation("upstream_protocol_error", "unreadable Fetch v" + version + " response: " + e);
        }
        if (response.nodeEndpoints().isEmpty()) {
            return null;
        }
        // Everything before the tagged fields is the same whatever they hold: measure it on a copy without them.
        FetchResponseData bare = response.duplicate();
        bare.nodeEndpoints().clear();
        bare.unknownTaggedFields().clear();
        int prefix = MessageUtil.toByteBufferAccessor(bare, version).buffer().remaining() - 1;
        int tailLength = encodedLength(response, version) - prefix;

        FetchResponseData rewritten = response.duplicate();
        for (FetchResponseData.NodeEndpoint node : rewritten.nodeEndpoints()) {
            NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setNodeId, node::setHost, node::setPort);
        }
        FetchResponseData padded = padTo(rewritten, version, prefix, tailLength);
        boolean kept = padded != null;
        if (!kept) {
            padded = padTo(bare, version, prefix, tailLength);
            if (padded == null) {
                throw new ProtocolViolation("upstream_protocol_error", "cannot rewrite a " + tailLength + "-byte Fetch tail");
            }
        }
        ByteBuffer encoded = MessageUtil.toByteBufferAccessor(padded, version).buffer();
        ByteBuffer tail = encoded.duplicate();
        tail.position(encoded.limit() - tailLength);
        return new Tail(tailLength, Unpooled.wrappedBuffer(tail), kept);
    }

    /** The message with a filler field sized so its tagged fields take exactly {@code tailLength} bytes, or null. */
    private static FetchResponseData padTo(FetchResponseData message, short version, int prefix, int tailLength) {
        int unpadded = encodedLength(message, version) - prefix;
        if (unpadded == tailLength) {
            return message;
        }
        // A filler costs its tag, its length and its bytes; varint lengths make a small search simplest.
        for (int fill = Math.max(0, tailLength - unpadded - 6); fill <= tailLength - unpadded; fill++) {
            FetchResponseData candidate = message.duplicate();
            candidate.unknownTaggedFields().add(new RawTaggedField(FILLER_TAG, new byte[fill]));
            if (encodedLength(candidate, version) - prefix == tailLength) {
                return candidate;
            }
        }
        return null;
    }

    private static int encodedLength(FetchResponseData message, short version) {
        return MessageUtil.toByteBufferAccessor(message, version).buffer().remaining();
    }
}
