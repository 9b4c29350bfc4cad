package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.config.PortRange;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slow reader on either side must not make the gateway buffer without bound. The gateway's buffers come
 * from Netty's default allocator, which nothing else in this JVM uses, so its used memory is the gateway's.
 */
@ExtendWith(SharedClusters.class)
class BackpressureTest {

    private static final int MIB = 1024 * 1024;
    /** One response frame in flight, one being read, and the write buffer's high watermark, with room to spare. */
    private static final long BOUND = 48L * MIB;

    @Test
    void clientThatStopsReadingDoesNotMakeTheGatewayBufferEveryResponse(
            @KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) throws Exception {
        cluster.createTopic("slow-reader", 1, 1);
        fill(cluster, "slow-reader", 24 * MIB);
        try (GatewayFixture fixture = new GatewayFixture(cluster);
             RawKafkaSocket client = new RawKafkaSocket("127.0.0.1", fixture.bootstrapPort())) {
            client.apiVersions((short) 3);
            int leaderPort = fixture.gateway().status().listeners().nodePorts().values().iterator().next();
            try (RawKafkaSocket toLeader = new RawKafkaSocket("127.0.0.1", leaderPort)) {
                toLeader.apiVersions((short) 3);
                // 30 fetches of 8 MiB each: 240 MiB the gateway would hold if it read the broker regardless.
                int requests = 30;
                List<Integer> correlationIds = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    correlationIds.add(fetchFromStart(toLeader, "slow-reader", 8 * MIB));
                }
                Await.until(() -> slowClientSeen(fixture.gateway()), Duration.ofSeconds(60), "the gateway to see a slow client");
                assertThat(maxGatewayMemoryOver(20)).isLessThan(BOUND);

                // Nothing was lost meanwhile: every response arrives, in order, with its records.
                for (int expected : correlationIds) {
                    ByteBuffer frame = toLeader.readFrame();
                    ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(frame), (short) 1);
                    assertThat(header.correlationId()).isEqualTo(expected);
                    FetchResponseData response = new FetchResponseData(new ByteBufferAccessor(frame), (short) 12);
                    assertThat(response.responses().get(0).partitions().get(0).records().sizeInBytes()).isGreaterThan(MIB);
                }
            }
        }
    }

    @Test
    void brokerThatStopsReadingDoesNotMakeTheGatewayBufferEveryRequest() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Gateway gateway = Gateway.start(configFor("127.0.0.1:" + blackHole.getLocalPort()))) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(blackHole.accept()); // accepted and never read
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            byte[] produce = acksZeroProduce(MIB);
            AtomicLong written = new AtomicLong();
            try (RawKafkaSocket client = new RawKafkaSocket("127.0.0.1", gateway.config().listener().bootstrapPort())) {
                Thread writer = new Thread(() -> {
                    try {
                        for (int i = 0; i < 200; i++) { // 200 MiB, far more than any buffer on the way
                            client.sendFrame(produce, 0, produce.length);
                            written.addAndGet(produce.length);
                        }
                    } catch (IOException closed) {
                        // the socket is closed when the test ends
                    }
                });
                writer.setDaemon(true);
                writer.start();
                Await.until(() -> gateway.status().clients().stream().flatMap(c -> c.details().stream())
                        .anyMatch(ConnectionInfo::upstreamSlow), Duration.ofSeconds(60), "the gateway to see a slow broker");
                assertThat(maxGatewayMemoryOver(20)).isLessThan(BOUND);
                assertThat(written.get()).as("the client was held back").isLessThan(200L * MIB);
            } finally {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    private static boolean slowClientSeen(Gateway gateway) {
        return gateway.status().clients().stream().flatMap(c -> c.details().stream()).anyMatch(ConnectionInfo::clientSlow);
    }

    private static long maxGatewayMemoryOver(int samples) throws InterruptedException {
        long max = 0;
        for (int i = 0; i < samples; i++) {
            max = Math.max(max, allocatorMetric().usedDirectMemory() + allocatorMetric().usedHeapMemory());
            Thread.sleep(50);
        }
        return max;
    }

    private static ByteBufAllocatorMetric allocatorMetric() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    }

    private static void fill(EmbeddedKafkaCluster cluster, String topic, int bytes) throws Exception {
        Map<String, Object> props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        byte[] value = new byte[16 * 1024];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < bytes / value.length; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            for (Future<?> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static int fetchFromStart(RawKafkaSocket socket, String topic, int maxBytes) throws IOException {
        short version = 12;
        FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(maxBytes).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
        fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(maxBytes)
                        .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1))));
        return socket.send(ApiKeys.FETCH.id, version, ApiKeys.FETCH.requestHeaderVersion(version), fetch);
    }

    private static byte[] acksZeroProduce(int recordBytes) {
        short version = 9;
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[recordBytes]));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("nowhere");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        produce.topicData().add(topic);
        ByteBuffer encoded = RequestUtils.serialize(
                new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id)
                        .setRequestApiVersion(version).setCorrelationId(1).setClientId("flood"),
                ApiKeys.PRODUCE.requestHeaderVersion(version), produce, version);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    private static GatewayConfig configFor(String bootstrap) {
        int[] ports = FreePorts.distinct(2);
        return new GatewayConfig(new ListenerConfig("127.0.0.1", GatewayFixture.ADVERTISED_HOST, ports[0],
                new PortRange(ports[1], ports[1]), 0), new AdminConfig("127.0.0.1", 0),
                List.of(new ClusterConfig("stalled", bootstrap, Map.of())), "stalled");
    }
}
