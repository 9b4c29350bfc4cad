package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.config.UserConfig;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import dev.switchboard.support.SaslClients;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients authenticate to the gateway with SASL, and the gateway to the cluster with its own identity: Java clients
 * with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN produce and consume every record once; wrong passwords and unknown users
 * are refused with Kafka's authentication error, counted by cause, and nothing of theirs reaches the cluster. kcat
 * (librdkafka) the same.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientSaslTest {

    private EmbeddedKafkaCluster cluster;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), null),
                List.of(new UserConfig("alice", "alice-secret", null)));
        this.gateway = GatewayFixture.withSecurity(security, cluster);
        // As `switchboard users add` would, through the admin API.
        gateway.gateway().users().put("bob", "bob-secret", List.of("SCRAM-SHA-256"), "client-sasl-test");
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void scramSha512ProducesAndConsumesEveryRecordOnce() throws Exception {
        roundTrip("sasl-scram-512", sasl("SCRAM-SHA-512", "alice", "alice-secret"));
    }

    @Test
    void scramSha256WithAUserAddedAtRuntime() throws Exception {
        roundTrip("sasl-scram-256", sasl("SCRAM-SHA-256", "bob", "bob-secret"));
    }

    @Test
    void plainIsCheckedAgainstTheSaltedScramCredentials() throws Exception {
        roundTrip("sasl-plain", sasl("PLAIN", "alice", "alice-secret"));
    }

    @Test
    void wrongPasswordUnknownUserAndMissingMechanismAreRefusedAndReachNothing() {
        double upstreamBefore = upstreamConnections();
        assertRefused(sasl("SCRAM-SHA-512", "alice", "not-her-password"), "SCRAM-SHA-512", "wrong_password");
        assertRefused(sasl("PLAIN", "alice", "not-her-password"), "PLAIN", "wrong_password");
        assertRefused(sasl("PLAIN", "mallory", "anything"), "PLAIN", "unknown_user");
        assertRefused(sasl("SCRAM-SHA-512", "mallory", "anything"), "SCRAM-SHA-512", "unknown_user");
        // bob has a SCRAM-SHA-256 credential only.
        assertRefused(sasl("SCRAM-SHA-512", "bob", "bob-secret"), "SCRAM-SHA-512", "no_credential_for_mechanism");
        assertThat(upstreamConnections()).as("upstream connections opened for refused clients").isEqualTo(upstreamBefore);
    }

    @Test
    void aClientWithoutSaslIsClosedBeforeAnythingReachesTheCluster() {
        double upstreamBefore = upstreamConnections();
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("no-sasl"));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        assertThat(failures("none", "not_authenticated")).isPositive();
        assertThat(upstreamConnections()).isEqualTo(upstreamBefore);
    }

    @Test
    void kcatAuthenticatesWithScramAndIsRefusedWithAWrongPassword() throws Exception {
        Kcat.assumeInstalled();
        String topic = "sasl-kcat";
        cluster.createTopic(topic, 2, 1);
        List<String> sent = Records.numbered(topic, 300);
        Kcat.succeed(gateway.bootstrap(), String.join("\n", sent) + "\n",
                kcatSasl("SCRAM-SHA-512", "alice", "alice-secret", "-P", "-t", topic, "-X", "acks=all"));
        String consumed = Kcat.succeed(gateway.bootstrap(), null,
                kcatSasl("SCRAM-SHA-256", "bob", "bob-secret", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"));
        Records.assertExactlyOnce(sent, consumed.lines().filter(line -> !line.isEmpty()).toList());

        double upstreamBefore = upstreamConnections();
        Kcat.Run refused = Kcat.run(gateway.bootstrap(), null, kcatSasl("PLAIN", "alice", "wrong", "-L", "-m", "5"));
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("invalid credentials with SASL mechanism PLAIN");
        assertThat(upstreamConnections()).isEqualTo(upstreamBefore);
    }

    private static String[] kcatSasl(String mechanism, String user, String password, String... args) {
        List<String> all = new ArrayList<>(List.of("-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=" + mechanism,
                "-X", "sasl.username=" + user, "-X", "sasl.password=" + password));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private void roundTrip(String topic, Map<String, Object> sasl) throws Exception {
        cluster.createTopic(topic, 2, 1);
        List<String> sent = Records.numbered(topic, 200);
        Map<String, Object> producerProps = new HashMap<>(sasl);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String value : sent) {
                sends.add(producer.send(new ProducerRecord<>(topic, value)));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
        Map<String, Object> consumerProps = new HashMap<>(sasl);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-group");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> consumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    consumed.add(record.value());
                }
            }
        }
        Records.assertExactlyOnce(sent, consumed);
    }

    /** Refused with Kafka's authentication error, counted once under {@code cause}: the Java admin does not retry it. */
    private void assertRefused(Map<String, Object> sasl, String mechanism, String cause) {
        double before = failures(mechanism, cause);
        Map<String, Object> props = new HashMap<>(sasl);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class)
                    .cause().hasMessageContaining("invalid credentials with SASL mechanism " + mechanism);
        }
        assertThat(failures(mechanism, cause) - before).as("failures counted as %s", cause).isEqualTo(1);
    }

    private Map<String, Object> sasl(String mechanism, String user, String password) {
        return SaslClients.properties(gateway.clientProperties(user + "-" + mechanism.toLowerCase()), mechanism, user, password);
    }

    private double failures(String mechanism, String cause) {
        Counter counter = registry().find("switchboard.client.authentication.failures").tag("mechanism", mechanism)
                .tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }

    private double upstreamConnections() {
        Counter counter = registry().find("switchboard.upstream.connections.opened").counter();
        return counter == null ? 0 : counter.count();
    }

    private MeterRegistry registry() {
        return gateway.gateway().metrics().registry();
    }
}
