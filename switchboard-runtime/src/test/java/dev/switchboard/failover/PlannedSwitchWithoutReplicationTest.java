package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A planned failback with no MirrorMaker 2 flow back into the old cluster: refused at once, naming what is missing,
 * with nothing held and nothing switched, while producers carry on. No MirrorMaker 2 runs in either direction.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlannedSwitchWithoutReplicationTest {

    private static final String TOPIC = "unreplicated-orders";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "unreplicated-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "unreplicated-secondary", nodeIds = {3}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, 1, 1);
        secondary.createTopic(TOPIC, 1, 1);
        gateway = new GatewayFixture(new FailoverConfig(60, List.of(), null, null, null), primary, secondary);
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void plannedFailbackWithoutReverseReplicationIsRefusedAtOnceAndProducersCarryOn() {
        Map<String, Object> props = gateway.clientProperties("unreplicated-producer");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        List<String> beforeSwitch = Records.numbered("before-switch", 5);
        List<String> afterSwitch = Records.numbered("after-switch", 5);
        List<String> afterRefusal = Records.numbered("after-refusal", 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            assertThat(Records.failedSends(producer, TOPIC, beforeSwitch, 0)).as("failed sends to the primary").isZero();
            ClusterSwitch.Outcome failover = gateway.gateway().failover(secondary.name(), false, "no-replication-test");
            assertThat(failover.result()).as(failover.message()).isEqualTo("switched");
            assertThat(Records.failedSends(producer, TOPIC, afterSwitch, 0)).as("failed sends to the secondary").isZero();
            Long epoch = gateway.gateway().status().switchEpoch();

            assertThatThrownBy(() -> gateway.gateway().failover(primary.name(), true, "no-replication-test failback"))
                    .isInstanceOfSatisfying(SwitchRefused.class, refused -> assertThat(refused.status()).isEqualTo(409))
                    .hasMessage("no replication from " + secondary.name() + " to " + primary.name() + ": MirrorMaker 2's"
                            + " checkpoints topic '" + secondary.name() + ".checkpoints.internal' does not exist on "
                            + primary.name() + "; start a MirrorMaker 2 flow " + secondary.name() + "->" + primary.name()
                            + " (see docs/failover.md#failback) or use an unplanned failover");
            assertThat(gateway.gateway().status().activeCluster()).isEqualTo(secondary.name());
            assertThat(gateway.gateway().status().switchEpoch()).as("no hold was written").isEqualTo(epoch);

            assertThat(Records.failedSends(producer, TOPIC, afterRefusal, 0)).as("failed sends after the refusal").isZero();
        }
        Records.assertExactlyOnce(beforeSwitch, readAll(primary, beforeSwitch.size()));
        Records.assertExactlyOnce(union(afterSwitch, afterRefusal), readAll(secondary, afterSwitch.size() + afterRefusal.size()));
    }

    private static List<String> union(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    /** Straight from the cluster, not through the gateway. */
    private static List<String> readAll(EmbeddedKafkaCluster cluster, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cluster.clientProperties(),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            return Records.pollValues(consumer, expected, WAIT);
        }
    }
}
