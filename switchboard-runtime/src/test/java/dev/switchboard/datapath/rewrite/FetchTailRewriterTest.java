package dev.switchboard.datapath.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import dev.switchboard.config.HostPort;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;

/** The tail of a Fetch response, rewritten at the same length, on real encoded responses. */
class FetchTailRewriterTest {

    private static final short VERSION = 17;
    private static final String UPSTREAM_HOST = "broker-7.kafka.internal.example";

    @Test
    void endpointsBecomeGatewayAddressesAndTheResponseKeepsItsLength() {
        ByteBuf frame = fetchResponse(true);
        FetchTailRewriter.Tail tail = FetchTailRewriter.rewrite(frame, VERSION, gatewayAt("gw.example", 19092));
        assertThat(tail.endpointsKept()).isTrue();
        FetchResponseData result = decode(applied(frame, tail));
        assertThat(result.nodeEndpoints()).hasSize(1);
        assertThat(result.nodeEndpoints().iterator().next().host()).isEqualTo("gw.example");
        assertThat(result.nodeEndpoints().iterator().next().port()).isEqualTo(19092);
        assertThat(result.nodeEndpoints().iterator().next().nodeId()).isEqualTo(7);
        assertRecordsIntact(result);
    }

    @Test
    void endpointsThatDoNotFitAreReplacedByFillerAndNoUpstreamAddressRemains() {
        ByteBuf frame = fetchResponse(true);
        String longHost = "a-gateway-name-much-longer-than-the-broker-it-stands-for.example.com";
        FetchTailRewriter.Tail tail = FetchTailRewriter.rewrite(frame, VERSION, gatewayAt(longHost, 19092));
        assertThat(tail.endpointsKept()).isFalse();
        ByteBuf applied = applied(frame, tail);
        assertThat(ByteBufUtil.indexOf(Unpooled.wrappedBuffer(UPSTREAM_HOST.getBytes(StandardCharsets.UTF_8)), applied)).isNegative();
        FetchResponseData result = decode(applied);
        assertThat(result.nodeEndpoints()).isEmpty();
        assertThat(result.unknownTaggedFields()).extracting(f -> f.tag()).containsExactly(FetchTailRewriter.FILLER_TAG);
        assertRecordsIntact(result);
    }

    @Test
    void responseWithoutEndpointsIsLeftAlone() {
        ByteBuf frame = fetchResponse(false);
        assertThat(FetchTailRewriter.rewrite(frame, VERSION, gatewayAt("gw", 1))).isNull();
        frame.release();
    }

    /** The frame as the client receives it: everything but the tail as it came, then the replacement. */
    private static ByteBuf applied(ByteBuf frame, FetchTailRewriter.Tail tail) {
        int kept = frame.readableBytes() - tail.length();
        byte[] bytes = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), bytes, 0, kept);
        tail.replacement().getBytes(tail.replacement().readerIndex(), bytes, kept, tail.length());
        tail.replacement().release();
        frame.release();
        return Unpooled.wrappedBuffer(bytes);
    }

    private static FetchResponseData decode(ByteBuf frame) {
        ByteBuffer buffer = frame.nioBuffer();
        assertThat(buffer.getInt()).as("size prefix still matches").isEqualTo(buffer.remaining());
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        new ResponseHeaderData(accessor, ApiKeys.FETCH.responseHeaderVersion(VERSION));
        return new FetchResponseData(accessor, VERSION);
    }

    private static void assertRecordsIntact(FetchResponseData result) {
        MemoryRecords records = (MemoryRecords) result.responses().get(0).partitions().get(0).records();
        assertThat(records.records().iterator().next().value()).isEqualTo(ByteBuffer.wrap(payload()));
    }

    /** A real encoded response, split over several buffers the way reads deliver it. */
    private static ByteBuf fetchResponse(boolean withEndpoints) {
        FetchResponseData response = new FetchResponseData().setSessionId(5);
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopicId(Uuid.randomUuid());
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(payload()))));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1).setErrorCode((short) 6)
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(7).setLeaderEpoch(3)));
        response.responses().add(topic);
        if (withEndpoints) {
            response.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(7).setHost(UPSTREAM_HOST).setPort(9092));
        }
        ByteBuffer body = RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(11),
                ApiKeys.FETCH.responseHeaderVersion(VERSION), response, VERSION);
        ByteBuf whole = Unpooled.buffer(4 + body.remaining()).writeInt(body.remaining()).writeBytes(body);
        CompositeByteBuf split = Unpooled.compositeBuffer();
        while (whole.isReadable()) {
            split.addComponent(true, whole.readRetainedSlice(Math.min(1000, whole.readableBytes())));
        }
        whole.release();
        return split;
    }

    private static byte[] payload() {
        byte[] value = new byte[4000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        return value;
    }

    private static RewriteContext gatewayAt(String host, int port) {
        return new RewriteContext() {
            @Override
            public HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort) {
                return new HostPort(host, port);
            }

            @Override
            public void negotiated(List<ApiVersion> versions) {
            }

            @Override
            public int nodeId(int upstreamNodeId) {
                return upstreamNodeId;
            }

            @Override
            public String clusterId() {
                return "gateway-cluster";
            }

            @Override
            public void learnTopic(Uuid topicId, String name) {
            }
        };
    }
}
