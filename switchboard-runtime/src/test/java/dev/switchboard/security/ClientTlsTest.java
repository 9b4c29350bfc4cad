package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import dev.switchboard.config.AclBindingConfig;
import dev.switchboard.config.AclConfig;
import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.ListenerTlsConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.config.StoreConfig;
import dev.switchboard.config.UserConfig;
import dev.switchboard.support.Await;
import dev.switchboard.support.AuthenticationProbe;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import dev.switchboard.support.SaslClients;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SelfSignedKeyStores;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the client listener with real clients: a Java client with a certificate is the principal its subject maps to
 * (ACLs let it, and only it, write); a certificate from an unknown CA is refused in the handshake and reaches no
 * broker; SASL_SSL with SCRAM-SHA-512 and PLAIN, and kcat over SASL_SSL; a new certificate is taken without a restart.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTlsTest {

    @TempDir
    static Path dir;

    private EmbeddedKafkaCluster cluster;
    private SelfSignedKeyStores gatewayCert;
    private SelfSignedKeyStores ordersCert;
    private SelfSignedKeyStores strangerCert;

    @BeforeAll
    void certificates(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        gatewayCert = SelfSignedKeyStores.create(dir.resolve("gateway"), "gateway", SelfSignedKeyStores.LOCAL_NAMES);
        ordersCert = SelfSignedKeyStores.create(dir.resolve("orders"), "orders", SelfSignedKeyStores.LOCAL_NAMES,
                "CN=orders-app,OU=payments,O=example", "orders-password");
        strangerCert = SelfSignedKeyStores.create(dir.resolve("stranger"), "stranger", SelfSignedKeyStores.LOCAL_NAMES);
    }

    @Test
    void aClientCertificateIsThePrincipalItsSubjectMapsToAndAnUnknownCaIsRefused() throws Exception {
        String topic = "tls-orders";
        cluster.createTopic(topic, 1, 1);
        ListenerTlsConfig tls = new ListenerTlsConfig(store(gatewayCert.keyStore(), gatewayCert.password()), null, null, null,
                store(ordersCert.trustStore(), ordersCert.password()), null, "required", "RULE:^CN=([^,]+),.*$/$1/,DEFAULT", null);
        AclConfig acls = new AclConfig(List.of(), List.of(
                new AclBindingConfig("topic", topic, null, "User:orders-app", null, "all", null),
                new AclBindingConfig("group", "tls-readers", null, "User:orders-app", null, "read", null)));
        try (GatewayFixture gateway = GatewayFixture.withSecurity(new SecurityConfig(null, null, acls, tls), cluster)) {
            Map<String, Object> orders = ssl(gateway, "tls-orders-app", ordersCert);
            List<String> sent = Records.numbered(topic, 100);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(orders))) {
                assertThat(Records.failedSends(producer, topic, sent, 20)).isZero();
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(orders, "tls-readers"))) {
                consumer.subscribe(List.of(topic));
                Records.assertExactlyOnce(sent, Records.pollValues(consumer, sent.size(), Duration.ofSeconds(60)));
                assertThat(gateway.gateway().status().clients().stream().flatMap(client -> client.details().stream())
                        .map(connection -> connection.principal())).isNotEmpty().allMatch("User:orders-app"::equals);
            }

            double upstreamBefore = counter(gateway, "switchboard.upstream.connections.opened");
            Map<String, Object> stranger = ssl(gateway, "tls-stranger", strangerCert);
            stranger.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            stranger.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            try (Admin admin = Admin.create(stranger)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(15, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(SSLHandshakeException.class)
                        .hasCauseInstanceOf(SslAuthenticationException.class);
            }
            assertThat(counter(gateway, "switchboard.client.tls.failures")).isPositive();
            assertThat(counter(gateway, "switchboard.upstream.connections.opened")).isEqualTo(upstreamBefore);
        }
    }

    @Test
    void saslOverTlsWithScramAndPlainAndKcat() throws Exception {
        String topic = "tls-sasl";
        cluster.createTopic(topic, 1, 1);
        ListenerTlsConfig tls = new ListenerTlsConfig(store(gatewayCert.keyStore(), gatewayCert.password()), null, null, null,
                null, null, null, null, null);
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512", "PLAIN"), null),
                List.of(new UserConfig("tls-user", "tls-secret", null)), null, tls);
        try (GatewayFixture gateway = GatewayFixture.withSecurity(security, cluster)) {
            List<String> sent = new ArrayList<>();
            for (String mechanism : List.of("SCRAM-SHA-512", "PLAIN")) {
                Map<String, Object> props = saslSsl(gateway, mechanism);
                List<String> values = Records.numbered(mechanism, 50);
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(props))) {
                    assertThat(Records.failedSends(producer, topic, values, 10)).as(mechanism).isZero();
                }
                sent.addAll(values);
            }
            Kcat.assumeInstalled();
            String consumed = Kcat.succeed(gateway.bootstrap(), null, "-X", "security.protocol=SASL_SSL",
                    "-X", "ssl.ca.location=" + gatewayCert.certificate(), "-X", "sasl.mechanisms=SCRAM-SHA-512",
                    "-X", "sasl.username=tls-user", "-X", "sasl.password=tls-secret",
                    "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n");
            Records.assertExactlyOnce(sent, consumed.lines().filter(line -> !line.isEmpty()).toList());
        }
    }

    @Test
    void aNewCertificateIsTakenWithoutARestart() throws Exception {
        Path keyStore = dir.resolve("reloaded.keystore.p12");
        SelfSignedKeyStores first = SelfSignedKeyStores.create(dir.resolve("first"), "first", SelfSignedKeyStores.LOCAL_NAMES,
                "CN=first", "reload-password");
        SelfSignedKeyStores second = SelfSignedKeyStores.create(dir.resolve("second"), "second", SelfSignedKeyStores.LOCAL_NAMES,
                "CN=second", "reload-password");
        Files.copy(first.keyStore(), keyStore, StandardCopyOption.REPLACE_EXISTING);
        ListenerTlsConfig tls = new ListenerTlsConfig(store(keyStore, "reload-password"), null, null, null, null, null, null, null,
                "200ms");
        try (GatewayFixture gateway = GatewayFixture.withSecurity(new SecurityConfig(null, null, null, tls), cluster)) {
            assertThat(listsTopics(gateway, first)).isTrue();
            assertThat(listsTopics(gateway, second)).as("a client trusting only the next certificate").isFalse();

            Files.copy(second.keyStore(), keyStore, StandardCopyOption.REPLACE_EXISTING);
            Await.until(() -> counter(gateway, "switchboard.client.tls.reloads") > 0, Duration.ofSeconds(30), "the new certificate loaded");
            assertThat(listsTopics(gateway, second)).isTrue();
            assertThat(listsTopics(gateway, first)).as("a client trusting only the old certificate").isFalse();
        }
    }

    private static boolean listsTopics(GatewayFixture gateway, SelfSignedKeyStores trusted) throws Exception {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("tls-reload"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trusted.trustStore().toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, trusted.password());
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        return AuthenticationProbe.listsTopics(props);
    }

    private Map<String, Object> ssl(GatewayFixture gateway, String clientId, SelfSignedKeyStores client) {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties(clientId));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        trustGateway(props);
        props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, client.keyStore().toString());
        props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, client.password());
        props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        return props;
    }

    private Map<String, Object> saslSsl(GatewayFixture gateway, String mechanism) {
        Map<String, Object> props = new HashMap<>(SaslClients.properties(gateway.clientProperties("tls-sasl-" + mechanism.toLowerCase()),
                mechanism, "tls-user", "tls-secret"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        trustGateway(props);
        return props;
    }

    private void trustGateway(Map<String, Object> props) {
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, gatewayCert.trustStore().toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, gatewayCert.password());
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    }

    private static Map<String, Object> producerProps(Map<String, Object> base) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    private static Map<String, Object> consumerProps(Map<String, Object> base, String group) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return props;
    }

    private static StoreConfig store(Path location, String password) {
        return new StoreConfig(location.toString(), password, "PKCS12", null);
    }

    private static double counter(GatewayFixture gateway, String name) {
        Counter counter = gateway.gateway().metrics().registry().find(name).counter();
        return counter == null ? 0 : counter.count();
    }
}
