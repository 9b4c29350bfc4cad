package dev.switchboard.datapath;

import static dev.switchboard.datapath.InMemoryGateway.correlationId;
import static dev.switchboard.datapath.InMemoryGateway.request;
import static dev.switchboard.datapath.InMemoryGateway.response;
import static dev.switchboard.datapath.InMemoryGateway.responseBody;
import static dev.switchboard.datapath.InterceptionLayerTest.LIST_OFFSETS_VERSION;
import static dev.switchboard.datapath.InterceptionLayerTest.forwardedCorrelationIds;
import static dev.switchboard.datapath.InterceptionLayerTest.listOffsets;
import static dev.switchboard.support.TestInterceptors.onResponses;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * The KIP-951 leader endpoints of a Fetch response reach the client as gateway addresses, whichever way the response
 * goes through the relay: streamed with its tail held back, gathered to wait its turn, or decoded for an interceptor.
 * Behind one cluster node ids are the virtual ones, so nothing else asks for a Fetch response to be rewritten.
 */
class FetchLeaderEndpointsTest {

    /** The first version with leader endpoints is 16; 17 is what current clients send. */
    private static final short FETCH_VERSION = 17;
    private static final String UPSTREAM_HOST = "broker-7.kafka.internal.example";
    private static final int UPSTREAM_PORT = 9092;
    private static final int LEADER = 7;

    @Test
    void aFetchResponseStreamedAtTheHeadOfTheOrderNamesTheGateway() {
        assertLeaderAtGateway(answeredThrough(List.of()));
    }

    @Test
    void aFetchResponseGatheredToWaitBehindADelayedResponseNamesTheGateway() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(slowListOffsets()));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(listOffsets(1), fetch(2));
        forwardedCorrelationIds(gateway.upstream(0));

        // Both responses were read together; the Fetch response must wait for the delayed one, so it is gathered whole.
        gateway.upstream(0).writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 1, new ListOffsetsResponseData()),
                notLeaderResponse(2));
        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        assertLeaderAtGateway(fetchReceived(client, 2));
    }

    @Test
    void anUnreadableFetchResponseGatheredToWaitClosesTheConnection() {
        InMemoryGateway gateway = new InMemoryGateway(List.of(slowListOffsets()));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(listOffsets(1), fetch(2));
        forwardedCorrelationIds(gateway.upstream(0));

        // A header, then two bytes where the body's first field needs four.
        ByteBuf truncated = Unpooled.buffer().writeInt(7).writeInt(2).writeByte(0).writeShort(0);
        gateway.upstream(0).writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 1, new ListOffsetsResponseData()),
                truncated);

        assertThat(client.isActive()).isFalse();
        assertThat(gateway.closed("upstream_protocol_error")).isEqualTo(1.0);
        assertThat(truncated.refCnt()).isZero();
        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(client.<ByteBuf>readOutbound()).as("nothing reaches the client once closed").isNull();
    }

    @Test
    void aFetchResponseAnInterceptorForwardsAsItCameNamesTheGateway() {
        assertLeaderAtGateway(answeredThrough(List.of(fetchInterceptor(response -> ResponseAction.forward()))));
    }

    @Test
    void aFetchResponseAnInterceptorChangesNamesTheGatewayAndKeepsTheChange() {
        FetchResponseData received = answeredThrough(List.of(fetchInterceptor(response -> {
            response.setThrottleTimeMs(1234);
            return ResponseAction.forwardModified();
        })));
        assertLeaderAtGateway(received);
        assertThat(received.throttleTimeMs()).isEqualTo(1234);
    }

    @Test
    void anInterceptorSeesTheGatewayAddressesNotTheUpstreamOnes() {
        List<String> seen = new ArrayList<>();
        FetchResponseData received = answeredThrough(List.of(fetchInterceptor(response -> {
            response.nodeEndpoints().forEach(node -> seen.add(node.host()));
            return ResponseAction.forward();
        })));

        assertLeaderAtGateway(received);
        assertThat(seen).containsExactly("gateway.test");
    }

    // ---- what goes in and what comes out --------------------------------------------------------------------------

    /** One Fetch request through a gateway with these interceptors, answered with a moved leader; what the client got. */
    private static FetchResponseData answeredThrough(List<InterceptorFactory> interceptors) {
        InMemoryGateway gateway = new InMemoryGateway(interceptors);
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(fetch(1));
        forwardedCorrelationIds(gateway.upstream(0));
        gateway.upstream(0).writeInbound(notLeaderResponse(1));
        return fetchReceived(client, 1);
    }

    private static InterceptorFactory slowListOffsets() {
        return onResponses("slow-list-offsets", Interest.responses(ApiKeys.LIST_OFFSETS),
                (response, connection) -> ResponseAction.delay(Duration.ofMillis(100), ResponseAction.forward()));
    }

    private static InterceptorFactory fetchInterceptor(Function<FetchResponseData, ResponseAction> onFetch) {
        return onResponses("fetch-watcher", Interest.responses(ApiKeys.FETCH),
                (response, connection) -> onFetch.apply((FetchResponseData) response.message()));
    }

    private static ByteBuf fetch(int correlationId) {
        return request(ApiKeys.FETCH, FETCH_VERSION, correlationId, new FetchRequestData().setMaxWaitMs(500));
    }

    /** What a broker answers a fetch from a partition that moved: the new leader, and where to find it. */
    private static ByteBuf notLeaderResponse(int correlationId) {
        FetchResponseData response = new FetchResponseData().setSessionId(5);
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopicId(Uuid.randomUuid());
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(LEADER).setLeaderEpoch(3)));
        response.responses().add(topic);
        response.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(LEADER).setHost(UPSTREAM_HOST)
                .setPort(UPSTREAM_PORT));
        ByteBuf frame = response(ApiKeys.FETCH, FETCH_VERSION, correlationId, response);
        assertThat(ByteBufUtil.indexOf(upstreamHost(), frame)).as("the upstream's answer names the upstream").isNotNegative();
        return frame;
    }

    /**
     * The Fetch response the client got, put back together from the parts written to it, after checking that no byte
     * of it names the upstream host. Frames before it must have other correlation ids.
     */
    private static FetchResponseData fetchReceived(EmbeddedChannel client, int correlationId) {
        ByteBuf stream = Unpooled.buffer();
        try {
            for (ByteBuf part = client.readOutbound(); part != null; part = client.readOutbound()) {
                stream.writeBytes(part);
                part.release();
            }
            while (stream.isReadable()) {
                ByteBuf frame = stream.readSlice(KafkaFrameDecoder.SIZE_PREFIX + stream.getInt(stream.readerIndex()));
                if (correlationId(frame) == correlationId) {
                    assertThat(stream.isReadable()).as("nothing follows the Fetch response").isFalse();
                    assertThat(ByteBufUtil.indexOf(upstreamHost(), frame)).as("the upstream host in what the client got")
                            .isNegative();
                    return responseBody(frame.retain(), ApiKeys.FETCH, FETCH_VERSION, new FetchResponseData());
                }
            }
            throw new AssertionError("the client got no response with correlation id " + correlationId);
        } finally {
            stream.release();
        }
    }

    private static void assertLeaderAtGateway(FetchResponseData received) {
        FetchResponseData.PartitionData partition = received.responses().get(0).partitions().get(0);
        assertThat(partition.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(partition.currentLeader().leaderId()).isEqualTo(LEADER);
        assertThat(received.nodeEndpoints()).hasSize(1);
        FetchResponseData.NodeEndpoint leader = received.nodeEndpoints().iterator().next();
        assertThat(leader.nodeId()).isEqualTo(LEADER);
        assertThat(leader.host()).isEqualTo("gateway.test");
        assertThat(leader.port()).isBetween(19093, 19192);
    }

    private static ByteBuf upstreamHost() {
        return Unpooled.wrappedBuffer(UPSTREAM_HOST.getBytes(StandardCharsets.UTF_8));
    }
}
