package dev.switchboard.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code listener.strictRequests}: real clients are served as before, and a request whose body does not parse closes
 * its connection at the gateway, with cause {@code malformed_request}, before any broker sees it.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrictRequestsTest {

    private EmbeddedKafkaCluster cluster;
    private GatewayFixture gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        this.gateway = GatewayFixture.strictRequests(cluster);
    }

    @AfterAll
    void stopGateway() {
        gateway.close();
    }

    @Test
    void realClientsAreServedAsBefore() throws Exception {
        double closedBefore = closed("malformed_request");
        cluster.createTopic("strict", 2, 1);
        List<String> sent = Records.numbered("strict", 500);
        Map<String, Object> producerProps = new HashMap<>(gateway.clientProperties("strict-producer"));
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (String value : sent) {
                producer.send(new ProducerRecord<>("strict", value, value)).get();
            }
        }
        Map<String, Object> consumerProps = new HashMap<>(gateway.clientProperties("strict-consumer"));
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "strict-readers");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("strict"));
            Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), Duration.ofSeconds(60)));
            consumer.commitSync();
        }
        try (Admin admin = Admin.create(gateway.clientProperties("strict-admin"))) {
            assertThat(admin.listTopics().names().get()).contains("strict");
            assertThat(admin.listConsumerGroupOffsets("strict-readers").partitionsToOffsetAndMetadata().get())
                    .containsKeys(new TopicPartition("strict", 0), new TopicPartition("strict", 1));
        }
        assertThat(closed("malformed_request")).as("no real client's request was refused").isEqualTo(closedBefore);
    }

    @Test
    void aBodyThatDoesNotParseClosesTheConnectionAtTheGateway() throws Exception {
        double before = closed("malformed_request");
        try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort())) {
            // A valid Metadata v12 header, then a topic count of a million and nothing after it.
            byte[] payload = frame(ApiKeys.METADATA, (short) 12, new byte[] {(byte) 0x8f, (byte) 0xbd, 0x3d});
            socket.sendFrame(payload, 0, payload.length);
            assertThat(socket.closedByPeer()).as("gateway closed the connection").isTrue();
        }
        awaitClosed(before);
        assertThat(malformed(ApiKeys.METADATA.name)).isPositive();
    }

    @Test
    void aBodyWithBytesLeftOverClosesTheConnection() throws Exception {
        double before = closed("malformed_request");
        byte[] body = MessageUtil.toByteBufferAccessor(new MetadataRequestData().setTopics(null), (short) 12).buffer().array();
        byte[] withTrailer = new byte[body.length + 5];
        System.arraycopy(body, 0, withTrailer, 0, body.length);
        try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort())) {
            byte[] payload = frame(ApiKeys.METADATA, (short) 12, withTrailer);
            socket.sendFrame(payload, 0, payload.length);
            assertThat(socket.closedByPeer()).as("gateway closed the connection").isTrue();
        }
        awaitClosed(before);
    }

    /** A request frame's payload: a well-formed header for {@code api} and {@code version}, then {@code body} as given. */
    private static byte[] frame(ApiKeys api, short version, byte[] body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(1).setClientId("garbage");
        ByteBuffer encodedHeader = MessageUtil.toByteBufferAccessor(header, api.requestHeaderVersion(version)).buffer();
        ByteBuffer payload = ByteBuffer.allocate(encodedHeader.remaining() + body.length).put(encodedHeader).put(body);
        return payload.array();
    }

    private void awaitClosed(double before) {
        Await.until(() -> closed("malformed_request") == before + 1, Duration.ofSeconds(10),
                "one connection closed for malformed_request");
    }

    private double closed(String cause) {
        Counter counter = gateway.gateway().metrics().registry().find("switchboard.connections.closed").tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }

    private double malformed(String api) {
        Counter counter = gateway.gateway().metrics().registry().find("switchboard.requests.malformed").tag("api", api).counter();
        return counter == null ? 0 : counter.count();
    }
}
