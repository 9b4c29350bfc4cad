package dev.switchboard.datapath;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.cluster.VirtualNodes;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.PortRange;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.metrics.GatewayMetrics;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * The data path with Netty's {@link EmbeddedChannel} on both sides: a client channel with the gateway's real
 * pipeline, and for each connection an in-memory upstream channel with the real response decoder. Nothing touches a
 * socket, so ordering, delays and error paths are driven step by step from the test thread.
 */
final class InMemoryGateway {

    static final String CLUSTER = "primary";
    /** The cluster {@link #switchToStandby()} makes active. */
    static final String STANDBY = "secondary";

    final GatewayMetrics metrics = new GatewayMetrics();
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private final UpstreamClusters clusters;
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private final DataPath dataPath;

    InMemoryGateway(List<InterceptorFactory> interceptors) {
        clusters = new UpstreamClusters(List.of(new ClusterConfig(CLUSTER, "broker.invalid:9092", Map.of()),
                new ClusterConfig(STANDBY, "standby.invalid:9092", Map.of())), CLUSTER);
        VirtualNodes nodes = new VirtualNodes();
        UpstreamConnector connector = new UpstreamConnector() {
            @Override
            Future<Channel> connect(EventLoop loop, UpstreamCluster cluster, HostPort target, ClientConnection connection) {
                EmbeddedChannel upstream = new EmbeddedChannel();
                upstream.pipeline().addLast(new ResponseStreamDecoder(connection.relay()), new UpstreamHandler(connection));
                upstreams.add(upstream);
                return loop.newSucceededFuture(upstream);
            }
        };
        this.dataPath = new DataPath(clusters, new AddressRewriter("gateway.test", new NodePortMap(new PortRange(19093, 19192),
                (nodeId, port) -> { }), nodes), ResponseRewriters.standard(), connector, connections, metrics,
                1024 * 1024, nodes, "gateway-cluster", new TopicNames(metrics), interceptors, null, null, null);
    }

    /** A new client connection to the bootstrap port. Its upstream appears with its first request. */
    EmbeddedChannel connect() {
        return new EmbeddedChannel(new KafkaFrameDecoder(dataPath.maxFrameBytes()), new RequestHeaderDecoder(),
                new ClientConnection(dataPath, new Listener.Bootstrap(9092)));
    }

    /** The standby cluster becomes active, and every connection is told so, as a cluster switch does. */
    void switchToStandby() {
        clusters.activate(STANDBY);
        connections.clusterSwitched("cluster_switch", STANDBY + " is now active");
    }

    /** The upstream channel opened {@code index}-th, counting every connection and every move. */
    EmbeddedChannel upstream(int index) {
        return upstreams.get(index);
    }

    /** How many upstream channels have been opened so far. */
    int upstreamCount() {
        return upstreams.size();
    }

    double closed(String cause) {
        return metrics.registry().find("switchboard.connections.closed").tag("cause", cause).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    static ByteBuf request(ApiKeys api, short version, int correlationId, ApiMessage body) {
        return request("test-client", api, version, correlationId, body);
    }

    static ByteBuf request(String clientId, ApiKeys api, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(api, version, clientId, correlationId);
        ByteBuffer encoded = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        return Unpooled.buffer().writeInt(encoded.remaining()).writeBytes(encoded);
    }

    static ByteBuf response(ApiKeys api, short version, int correlationId, ApiMessage body) {
        return DecodedResponse.frame(new ResponseHeaderData().setCorrelationId(correlationId), api, version, body);
    }

    /** The correlation id of a frame the gateway sent: size prefix, then the id. */
    static int correlationId(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX);
    }

    /** Decodes a request the gateway forwarded upstream, and releases it. */
    static RequestHeader forwardedHeader(ByteBuf frame) {
        try {
            ByteBuffer buffer = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
            return RequestHeader.parse(buffer);
        } finally {
            frame.release();
        }
    }

    /** Decodes the body of a request the gateway forwarded upstream, and releases it. */
    static <T extends ApiMessage> T forwardedBody(ByteBuf frame, short version, T body) {
        try {
            ByteBuffer buffer = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
            RequestHeader.parse(buffer);
            body.read(new ByteBufferAccessor(buffer), version);
            return body;
        } finally {
            frame.release();
        }
    }

    /** Decodes a response the gateway sent to the client, and releases it. */
    static <T extends ApiMessage> T responseBody(ByteBuf frame, ApiKeys api, short version, T body) {
        try {
            ByteBuffer buffer = frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                    frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX);
            ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
            new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
            body.read(accessor, version);
            return body;
        } finally {
            frame.release();
        }
    }
}
