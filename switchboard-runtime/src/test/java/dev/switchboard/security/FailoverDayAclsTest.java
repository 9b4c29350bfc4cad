package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.AclBindingConfig;
import dev.switchboard.config.AclConfig;
import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.config.UserConfig;
import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.support.SaslClients;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The failover day, reproduced: the two clusters know the gateway by different credentials (SCRAM on the primary,
 * PLAIN on the secondary) and hold no ACLs for the applications. Through the gateway the same client credentials
 * produce and consume on both sides of a switch, and an application without a WRITE ACL is refused on both. The
 * gateway's ACLs are managed with Kafka's own Admin API through the gateway, and metadata lists only what a
 * principal may describe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverDayAclsTest {

    private static final String ORDERS = "orders";
    private static final String SECRET = "payroll";
    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private GatewayFixture gateway;

    @BeforeAll
    void start() {
        primary = EmbeddedKafkaCluster.builder("day-primary").clientSecurity(SecurityProtocol.SASL_PLAINTEXT)
                .saslMechanism("SCRAM-SHA-512").saslUser("gateway-a", "secret-a").start();
        secondary = EmbeddedKafkaCluster.builder("day-secondary").nodeIds(5).clientSecurity(SecurityProtocol.SASL_PLAINTEXT)
                .saslMechanism("PLAIN").saslUser("gateway-b", "secret-b").start();
        for (EmbeddedKafkaCluster cluster : List.of(primary, secondary)) {
            cluster.createTopic(ORDERS, 1, 1);
            cluster.createTopic(SECRET, 1, 1);
        }
        AclConfig acls = new AclConfig(List.of("User:ops"), List.of(
                allow("topic", ORDERS, "User:orders-app", "write"),
                allow("topic", ORDERS, "User:orders-app", "read"),
                allow("group", "orders-readers", "User:orders-app", "read"),
                allow("topic", ORDERS, "User:audit-app", "read")));
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512", "PLAIN"), null),
                List.of(new UserConfig("orders-app", "orders-secret", null), new UserConfig("audit-app", "audit-secret", null),
                        new UserConfig("ops", "ops-secret", null)), acls);
        gateway = GatewayFixture.withSecurity(security, primary, secondary);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[]{gateway, secondary, primary}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // the others still close
            }
        }
    }

    @Test
    void theSameCredentialsWorkOnBothSidesOfASwitchAndAMissingWriteAclIsRefusedOnBoth() throws Exception {
        List<String> before = Records.numbered("before", 50);
        List<String> after = Records.numbered("after", 50);
        long primaryStart = endOffset(primary);
        long secondaryStart = endOffset(secondary);
        try (KafkaProducer<String, String> orders = producer("orders-app", "orders-secret", true)) {
            assertThat(Records.failedSends(orders, ORDERS, before, 10)).as("sends of orders-app refused on the primary").isZero();
            assertAuditCannotWrite();

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), false, "failover-day-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            assertThat(Records.failedSends(orders, ORDERS, after, 10)).as("sends of orders-app refused on the secondary").isZero();
            assertAuditCannotWrite();
        }
        assertThat(List.of(endOffset(primary) - primaryStart, endOffset(secondary) - secondaryStart))
                .as("records written to primary, secondary").containsExactly(50L, 50L);

        Map<String, Object> props = consumerProps("orders-app", "orders-secret", "orders-readers");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(ORDERS));
            List<String> read = Records.pollValues(consumer, after.size(), Duration.ofSeconds(60));
            Records.assertExactlyOnce(after, read);
        } finally {
            ClusterSwitch.Outcome back = gateway.gateway().failover(primary.name(), false, "failover-day-test cleanup");
            assertThat(back.result()).as(back.message()).isEqualTo("switched");
        }
    }

    @Test
    void kafkasAclApisThroughTheGatewayManageGatewayAcls() throws Exception {
        AclBinding auditWrites = new AclBinding(new ResourcePattern(ResourceType.TOPIC, ORDERS, PatternType.LITERAL),
                new AccessControlEntry("User:audit-app", "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        AclBindingFilter auditFilter = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter("User:audit-app", null, AclOperation.ANY, AclPermissionType.ANY));
        try (Admin ops = admin("ops", "ops-secret"); Admin audit = admin("audit-app", "audit-secret")) {
            assertThatThrownBy(() -> audit.createAcls(List.of(auditWrites)).all().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> audit.describeAcls(auditFilter).values().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);

            ops.createAcls(List.of(auditWrites)).all().get(30, TimeUnit.SECONDS);
            assertThat(ops.describeAcls(auditFilter).values().get(30, TimeUnit.SECONDS)).contains(auditWrites)
                    .allMatch(binding -> binding.entry().principal().equals("User:audit-app"));
            try (KafkaProducer<String, String> auditProducer = producer("audit-app", "audit-secret", false)) {
                auditProducer.send(new ProducerRecord<>(ORDERS, "audit-granted")).get(30, TimeUnit.SECONDS);
            }

            AclBindingFilter writesOnly = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:audit-app", null, AclOperation.WRITE, AclPermissionType.ANY));
            assertThat(ops.deleteAcls(List.of(writesOnly)).all().get(30, TimeUnit.SECONDS)).containsExactly(auditWrites);
            assertThat(ops.describeAcls(auditFilter).values().get(30, TimeUnit.SECONDS)).doesNotContain(auditWrites).isNotEmpty();
        }
        assertAuditCannotWrite();
    }

    @Test
    void metadataListsOnlyWhatThePrincipalMayDescribe() throws Exception {
        try (Admin audit = admin("audit-app", "audit-secret"); Admin ops = admin("ops", "ops-secret")) {
            assertThat(audit.listTopics().names().get(30, TimeUnit.SECONDS)).contains(ORDERS).doesNotContain(SECRET);
            assertThat(ops.listTopics().names().get(30, TimeUnit.SECONDS)).contains(ORDERS, SECRET);
            assertThatThrownBy(() -> audit.describeTopics(List.of(SECRET)).allTopicNames().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    /** audit-app may read orders, not write it: refused at InitProducerId when idempotent, per partition when not. */
    private void assertAuditCannotWrite() {
        try (KafkaProducer<String, String> idempotent = producer("audit-app", "audit-secret", true)) {
            // Failed at once once the producer has learned it may not have an id, else by its send.
            assertThatThrownBy(() -> idempotent.send(new ProducerRecord<>(ORDERS, "audit-idempotent")).get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(ClusterAuthorizationException.class);
        }
        try (KafkaProducer<String, String> plain = producer("audit-app", "audit-secret", false)) {
            assertThatThrownBy(() -> plain.send(new ProducerRecord<>(ORDERS, "audit-plain")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private KafkaProducer<String, String> producer(String user, String password, boolean idempotent) {
        Map<String, Object> props = new HashMap<>(SaslClients.properties(gateway.clientProperties(user + "-producer"),
                "SCRAM-SHA-512", user, password));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private Map<String, Object> consumerProps(String user, String password, String group) {
        Map<String, Object> props = new HashMap<>(SaslClients.properties(gateway.clientProperties(user + "-consumer"),
                "PLAIN", user, password));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return props;
    }

    private Admin admin(String user, String password) {
        Map<String, Object> props = new HashMap<>(SaslClients.properties(gateway.clientProperties(user + "-admin"),
                "SCRAM-SHA-512", user, password));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    private static long endOffset(EmbeddedKafkaCluster cluster) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(ORDERS, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
        }
    }

    private static AclBindingConfig allow(String type, String name, String principal, String operation) {
        return new AclBindingConfig(type, name, null, principal, null, operation, null);
    }
}
