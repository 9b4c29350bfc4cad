package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ConfigException;
import dev.switchboard.gateway.GatewayStatus;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Upstream clusters that want TLS, SASL or both, while clients speak PLAINTEXT to the gateway: unmodified Java
 * producers and consumers get every record exactly once, and bad credentials or certificates close client
 * connections for a reason the gateway counts.
 */
class UpstreamSecurityTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Nested
    class SaslSslWithScramSha512 extends SecuredCluster {

        @Override
        EmbeddedKafkaCluster.Builder describe() {
            return EmbeddedKafkaCluster.builder("sasl-ssl-scram").clientSecurity(SecurityProtocol.SASL_SSL)
                    .saslMechanism("SCRAM-SHA-512").saslUser("gateway", "gateway-secret");
        }

        @Test
        void clientsGetEveryRecordOnce() throws Exception {
            assertClientsGetEveryRecordOnce(cluster.clientSecurityProperties());
        }

        @Test
        void wrongPasswordClosesClientConnectionsAndTheGatewayIsNotReady() throws IOException {
            try (GatewayFixture gateway = new GatewayFixture(cluster, cluster.clientSecurityProperties("gateway", "not-the-secret"))) {
                assertThat(gateway.gateway().ready()).isFalse();
                GatewayStatus.Cluster status = gateway.gateway().status().clusters().get(0);
                assertThat(status.reachable()).isFalse();
                assertThat(status.lastError()).contains("SaslAuthenticationException");

                expectClosedFor(gateway, "upstream_auth_failed");
            }
        }

        @Test
        void unreadableTrustStoreIsAConfigErrorNamingTheKey() {
            Map<String, String> properties = new HashMap<>(cluster.clientSecurityProperties());
            properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, "/no/such/truststore.p12");
            assertThatThrownBy(() -> new GatewayFixture(cluster, properties)).isInstanceOf(ConfigException.class)
                    .hasMessage("properties.ssl.truststore.location: cannot read /no/such/truststore.p12: no such file");
        }
    }

    @Nested
    class MutualTlsWithHostnameVerification extends SecuredCluster {

        @Override
        EmbeddedKafkaCluster.Builder describe() {
            return EmbeddedKafkaCluster.builder("ssl-mutual").clientSecurity(SecurityProtocol.SSL).requireClientCertificates();
        }

        @Test
        void clientsGetEveryRecordOnce() throws Exception {
            // No ssl.endpoint.identification.algorithm: Kafka's default, https, verifies the host name.
            assertThat(cluster.clientSecurityProperties()).doesNotContainKey(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG)
                    .containsKey(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
            assertClientsGetEveryRecordOnce(cluster.clientSecurityProperties());
        }
    }

    @Nested
    class CertificateNamingAnotherHost extends SecuredCluster {

        @Override
        EmbeddedKafkaCluster.Builder describe() {
            return EmbeddedKafkaCluster.builder("ssl-other-host").clientSecurity(SecurityProtocol.SSL)
                    .certificateNames("dns:broker.elsewhere.invalid");
        }

        @Test
        void hostnameVerificationRefusesTheBroker() throws IOException {
            try (GatewayFixture gateway = new GatewayFixture(cluster)) {
                assertThat(gateway.gateway().ready()).isFalse();
                expectClosedFor(gateway, "upstream_tls_failed");
            }
        }

        @Test
        void withoutHostnameVerificationTheSameBrokerServes() throws Exception {
            Map<String, String> properties = new HashMap<>(cluster.clientSecurityProperties());
            properties.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
            assertClientsGetEveryRecordOnce(properties);
        }
    }

    @Nested
    class SaslPlaintextWithPlain extends SecuredCluster {

        @Override
        EmbeddedKafkaCluster.Builder describe() {
            return EmbeddedKafkaCluster.builder("sasl-plain").clientSecurity(SecurityProtocol.SASL_PLAINTEXT)
                    .saslMechanism("PLAIN").saslUser("gateway", "gateway-secret").saslUser("someone-else", "other-secret");
        }

        @Test
        void clientsGetEveryRecordOnce() throws Exception {
            assertClientsGetEveryRecordOnce(cluster.clientSecurityProperties());
        }
    }

    /** One cluster for the tests of one nested class, with a topic of the cluster's name. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract class SecuredCluster {

        EmbeddedKafkaCluster cluster;

        abstract EmbeddedKafkaCluster.Builder describe();

        @BeforeAll
        void start() {
            cluster = describe().start();
            cluster.createTopic(cluster.name(), 3, 1);
        }

        @AfterAll
        void stop() {
            cluster.close();
        }

        /**
         * Through a gateway that reaches the cluster with {@code properties}: an idempotent producer and a
         * consumer group, then a count of every record.
         */
        void assertClientsGetEveryRecordOnce(Map<String, String> properties) throws Exception {
            String topic = cluster.name();
            try (GatewayFixture gateway = new GatewayFixture(cluster, properties)) {
                assertThat(gateway.gateway().ready()).isTrue();
                List<String> sent = Records.numbered(topic, 1000);
                Map<String, Object> producerProps = gateway.clientProperties(topic + "-producer");
                producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
                producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
                producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
                    List<Future<?>> sends = new ArrayList<>();
                    sent.forEach(value -> sends.add(producer.send(new ProducerRecord<>(topic, value, value))));
                    for (Future<?> send : sends) {
                        send.get(60, TimeUnit.SECONDS);
                    }
                }
                Map<String, Object> consumerProps = gateway.clientProperties(topic + "-consumer");
                consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-group-" + System.nanoTime());
                consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
                    consumer.subscribe(List.of(topic));
                    Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), WAIT));
                }
                assertThat(closedCount(gateway, "upstream_auth_failed") + closedCount(gateway, "upstream_tls_failed")).isZero();
                assertThat(gateway.detector().sightings()).isEmpty();
            }
        }
    }

    /** A client connection is accepted, then closed by the gateway for {@code cause} without a byte sent. */
    private static void expectClosedFor(GatewayFixture gateway, String cause) throws IOException {
        double before = closedCount(gateway, cause);
        try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort())) {
            // The gateway opens its upstream connection for a client's first request.
            socket.send(ApiKeys.API_VERSIONS.id, (short) 3,
                    ApiKeys.API_VERSIONS.requestHeaderVersion((short) 3),
                    new ApiVersionsRequestData().setClientSoftwareName("raw")
                            .setClientSoftwareVersion("1"));
            assertThat(socket.closedByPeer()).as("gateway closed the connection").isTrue();
        }
        Await.until(() -> closedCount(gateway, cause) > before, Duration.ofSeconds(10), "a connection closed for " + cause);
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    private static double closedCount(GatewayFixture gateway, String cause) {
        Counter counter = gateway.gateway().metrics().registry().find("switchboard.connections.closed").tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }
}
