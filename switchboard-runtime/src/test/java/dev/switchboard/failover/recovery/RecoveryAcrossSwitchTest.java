package dev.switchboard.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.support.Records;
import dev.switchboard.support.SequencedProducer;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The recovery report through a real gateway in front of two real clusters: client ids from frames the gateway refused
 * are never tracked, and an application whose producer fails on the new cluster (its topic there refuses every write)
 * while its consumer works is not back until its producer succeeds too.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecoveryAcrossSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "recovery-orders";
    private static final String APPLICATION = "recovery-orders-app";

    private EmbeddedKafkaCluster secondary;
    private GatewayFixture fixture;
    private Gateway gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "recovery-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "recovery-secondary", nodeIds = {3}) EmbeddedKafkaCluster secondary) {
        this.secondary = secondary;
        primary.createTopic(TOPIC, 1, 1);
        secondary.createTopic(TOPIC, 1, 1);
        // A topic misconfigured on the standby, as happens: it takes no record older than its arrival, so every write
        // (at least linger.ms old) is refused with INVALID_TIMESTAMP, which the producer does not retry.
        refuseEveryWrite(secondary, true);
        fixture = GatewayFixture.strictRequests(primary, secondary);
        gateway = fixture.gateway();
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void clientIdsOfFramesTheGatewayRefusedAreNeverTracked() throws Exception {
        double before = trackedApplications();
        for (int i = 0; i < 20; i++) {
            try (RawKafkaSocket socket = new RawKafkaSocket("127.0.0.1", fixture.bootstrapPort())) {
                // Alternately a body with bytes left over (strict requests refuse it) and a version nobody negotiated.
                byte[] frame = i % 2 == 0 ? metadataWithTrailingBytes("fuzzed-" + i) : metadataOfVersion("fuzzed-" + i, (short) 99);
                socket.sendFrame(frame, 0, frame.length);
                assertThat(socket.closedByPeer()).as("frame %d refused", i).isTrue();
            }
        }
        assertThat(trackedApplications()).as("applications tracked after 20 refused frames").isEqualTo(before);

        try (RawKafkaSocket valid = new RawKafkaSocket("127.0.0.1", fixture.bootstrapPort())) {
            valid.apiVersions((short) 3);
            assertThat(trackedApplications()).as("applications tracked after an answered request").isEqualTo(before + 1);
        }
    }

    @Test
    void anApplicationWhoseProducerFailsWhileItsConsumerWorksIsNotBack() throws Exception {
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, fixture.bootstrap());
        Queue<String> consumed = new ConcurrentLinkedQueue<>();
        // One application, as a kafkajs one is: a producer and a consumer under one client id.
        try (SequencedProducer producer = new SequencedProducer(APPLICATION, TOPIC, 20, client);
             Reader reader = new Reader(client, consumed)) {
            Await.until(() -> producer.acknowledged().size() >= 20 && consumed.size() >= 20, WAIT,
                    "the application to produce and consume on the primary");
            Await.until(() -> consumed.containsAll(producer.acknowledged()), WAIT, "the consumer to read what the primary took");

            ClusterSwitch.Outcome outcome = gateway.failover(secondary.name(), false, "recovery-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            Await.until(() -> application(outcome.epoch()).role(Role.CONSUMER).backAt() != null
                            && application(outcome.epoch()).role(Role.PRODUCER).failures() > 0, WAIT,
                    "the consumer to fetch on the secondary while produce requests fail");

            ApplicationRecovery failing = application(outcome.epoch());
            RecoveryReport report = gateway.lastRecovery().orElseThrow();
            assertThat(failing.atSwitch()).isEqualTo(AtSwitch.RUNNING);
            assertThat(failing.roleSet()).containsExactlyInAnyOrder(Role.PRODUCER, Role.CONSUMER);
            assertThat(failing.role(Role.PRODUCER).backAt()).isNull();
            assertThat(failing.role(Role.PRODUCER).lastError()).isEqualTo("INVALID_TIMESTAMP");
            assertThat(failing.back()).isFalse();
            assertThat(report.notBack()).contains(APPLICATION);
            assertThat(report.rtoMillis()).isNull();

            refuseEveryWrite(secondary, false);
            Await.until(() -> application(outcome.epoch()).back(), WAIT, "the application to be back once it produces");
            ApplicationRecovery back = application(outcome.epoch());
            assertThat(back.role(Role.PRODUCER).backAt()).isAfterOrEqualTo(back.role(Role.CONSUMER).backAt());
            assertThat(back.role(Role.PRODUCER).failures()).isGreaterThanOrEqualTo(failing.role(Role.PRODUCER).failures());
            assertThat(gateway.lastRecovery().orElseThrow().notBack()).doesNotContain(APPLICATION);

            producer.stop(WAIT);
            // Every send was answered: acknowledged, or failed as the application saw it, for the refused timestamp.
            assertThat(producer.failures()).as("sends the application saw fail").isNotEmpty()
                    .allSatisfy((value, error) -> assertThat(error).contains("Timestamp", "is out of range"));
            Await.until(() -> consumed.containsAll(producer.acknowledged()), WAIT, "the consumer to read every record");
            Thread.sleep(500); // late duplicates
            // Each acknowledged record read once, and no failed one read at all.
            Records.assertExactlyOnce(producer.acknowledged(), List.copyOf(consumed));
        }
    }

    private static void refuseEveryWrite(EmbeddedKafkaCluster cluster, boolean refuse) {
        try (Admin admin = cluster.admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            AlterConfigOp change = refuse
                    ? new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "0"), AlterConfigOp.OpType.SET)
                    : new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, null), AlterConfigOp.OpType.DELETE);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(change))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not change " + TOPIC + " on " + cluster.name(), e);
        }
    }

    private ApplicationRecovery application(long epoch) {
        RecoveryReport report = gateway.lastRecovery().filter(r -> r.epoch() == epoch).orElseThrow();
        return report.applications().stream().filter(app -> app.clientId().equals(APPLICATION)).findFirst().orElseThrow();
    }

    private double trackedApplications() {
        return gateway.metrics().registry().get("switchboard.recovery.applications").gauge().value();
    }

    private static byte[] metadataWithTrailingBytes(String clientId) {
        byte[] request = metadataOfVersion(clientId, (short) 12);
        byte[] frame = new byte[request.length + 3];
        System.arraycopy(request, 0, frame, 0, request.length);
        return frame;
    }

    private static byte[] metadataOfVersion(String clientId, short version) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id).setRequestApiVersion(version)
                .setCorrelationId(1).setClientId(clientId);
        ByteBuffer encoded = RequestUtils.serialize(header, ApiKeys.METADATA.requestHeaderVersion((short) 12),
                new MetadataRequestData().setTopics(null), (short) 12);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }

    /** The application's consumer: partition 0 assigned, no group, every value it reads kept in order. */
    private static final class Reader implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        Reader(Map<String, Object> client, Queue<String> consumed) {
            Map<String, Object> props = new HashMap<>(client);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, APPLICATION);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
            thread = new Thread(() -> {
                while (running) {
                    consumer.poll(Duration.ofMillis(100)).forEach(record -> consumed.add(record.value()));
                }
                consumer.close(Duration.ofSeconds(5));
            }, APPLICATION + "-reader");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
