package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterTest {

    @Test
    void twoIndependentClustersWithNonContiguousNodeIdsServeRecords() throws Exception {
        try (EmbeddedKafkaCluster first = EmbeddedKafkaCluster.builder("first").nodeIds(3, 7).start();
             EmbeddedKafkaCluster second = EmbeddedKafkaCluster.start("second")) {
            assertThat(first.clusterId()).isNotEqualTo(second.clusterId());
            try (Admin admin = first.admin()) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).extracting(Node::id)
                        .containsExactlyInAnyOrder(3, 7);
                assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo(first.clusterId());
            }
            first.createTopic("orders", 2, 2);
            List<String> sent = List.of("a", "b", "c");
            produce(first, "orders", sent);
            assertThat(consume(first, "orders", sent.size())).containsExactlyInAnyOrderElementsOf(sent);
            // The second cluster is a different cluster: the topic does not exist there.
            try (Admin admin = second.admin()) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("orders");
            }
        }
    }

    @Test
    void stoppedBrokerComesBackOnTheSameAddress() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("restart").brokers(2).start()) {
            String address = cluster.brokerAddress(1);
            cluster.stopBroker(1);
            assertThat(cluster.isRunning(1)).isFalse();
            assertThat(cluster.bootstrapServers()).doesNotContain(address);
            cluster.startBroker(1);
            assertThat(cluster.bootstrapServers()).contains(address);
            cluster.createTopic("after-restart", 2, 2);
        }
    }

    @Test
    void saslSslClientListenerServesClientsWhileAdminKeepsPlaintext() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("secure").clientSecurity(SecurityProtocol.SASL_SSL)
                .saslMechanism("SCRAM-SHA-256").saslUser("alice", "alice-secret").start()) {
            assertThat(cluster.clientSecurityProperties())
                    .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
                    .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256")
                    .containsKeys(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SaslConfigs.SASL_JAAS_CONFIG);
            assertThat(cluster.bootstrapServers()).isEqualTo(cluster.brokerAddress(0));
            cluster.createTopic("secure-orders", 1, 1);
            List<String> sent = List.of("a", "b");
            produce(cluster, "secure-orders", sent);
            assertThat(consume(cluster, "secure-orders", sent.size())).containsExactlyInAnyOrderElementsOf(sent);

            Map<String, Object> wrongPassword = new HashMap<>(cluster.clientProperties());
            wrongPassword.putAll(cluster.clientSecurityProperties("alice", "wrong"));
            try (Admin admin = Admin.create(wrongPassword)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    @Test
    void relayedListenerAdvertisesTheRelaysAddressWhileTheOthersKeepTheirOwn() throws Exception {
        String relay = "127.0.0.1:" + FreePorts.next();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder("relayed")
                .relayedListener("RELAYED", Map.of(0, relay)).start()) {
            String bound = cluster.listenerAddress(0, "RELAYED");
            assertThat(bound).startsWith("127.0.0.1:").isNotEqualTo(relay);
            assertThat(advertisedBrokers(bound)).containsExactly(relay);
            assertThat(advertisedBrokers(cluster.bootstrapServers())).containsExactly(cluster.brokerAddress(0));
        }
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").brokers(2).relayedListener("RELAYED", Map.of(0, relay)).start())
                .hasMessageContaining("no advertised address for node 1");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").relayedListener("PLAINTEXT", Map.of(0, relay)))
                .hasMessageContaining("name of its own");
    }

    /** The brokers a Metadata response on {@code address} lists, as host:port: one raw request, no client to cache it. */
    private static List<String> advertisedBrokers(String address) throws Exception {
        short version = ApiKeys.METADATA.latestVersion();
        RequestHeader header = new RequestHeader(ApiKeys.METADATA, version, "testkit-test", 1);
        ByteBuffer request = MetadataRequest.Builder.allTopics().build(version).serializeWithHeader(header);
        int colon = address.lastIndexOf(':');
        try (Socket socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(request.remaining());
            out.write(request.array(), request.arrayOffset() + request.position(), request.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = in.readNBytes(in.readInt());
            MetadataResponse metadata = (MetadataResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            return metadata.brokers().stream().map(node -> node.host() + ":" + node.port()).toList();
        }
    }

    @Test
    void rejectsNonsenseShapes() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").brokers(0)).hasMessageContaining("at least one broker");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").nodeIds(1, 1)).hasMessageContaining("distinct");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").saslMechanism("GSSAPI")).hasMessageContaining("not GSSAPI");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder("x").clientSecurity(SecurityProtocol.SASL_PLAINTEXT).start())
                .hasMessageContaining("needs at least one saslUser");
    }

    static void produce(EmbeddedKafkaCluster cluster, String topic, List<String> values) throws Exception {
        Map<String, Object> props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value, value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    static List<String> consume(EmbeddedKafkaCluster cluster, String topic, int expected) {
        Map<String, Object> props = cluster.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
