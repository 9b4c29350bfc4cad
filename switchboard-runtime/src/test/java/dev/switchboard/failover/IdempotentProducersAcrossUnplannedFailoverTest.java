package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.failover.replication.LagSample;
import dev.switchboard.failover.replication.TopicLag;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.KafkajsProducer;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.KcatProducer;
import dev.switchboard.support.SequencedProducer;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent producers of kafka-clients, kafkajs 2.2.4 and librdkafka (kcat) carry on through an unplanned failover
 * with the primary's broker stopped for real: none turns fatal, what is lost fits the lag the failover reported, and
 * every record sent after the failover is on the secondary exactly once.
 *
 * <p>A send in flight when the broker died may fail: its producer retries it until its delivery timeout, and a
 * client may give up on it first. So failed sends are allowed only among records sent before the failover call
 * returned; after it, the gateway serves the secondary and binds each producer to a real id there.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotentProducersAcrossUnplannedFailoverTest {

    private static final Logger LOG = LoggerFactory.getLogger(IdempotentProducersAcrossUnplannedFailoverTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "unplanned-pids";
    private static final int PER_PHASE = 100;

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private EmbeddedMirrorMaker mirrorMaker;
    private GatewayFixture gateway;
    private Path kafkajs;

    @BeforeAll
    void start(@KafkaCluster(name = "unplanned-pids-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "unplanned-pids-secondary", nodeIds = {4}) EmbeddedKafkaCluster secondary) throws Exception {
        Kcat.assumeInstalled();
        kafkajs = KafkajsProducer.install();
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, 2, 1);
        mirrorMaker = EmbeddedMirrorMaker.builder(primary, secondary).start();
        mirrorMaker.awaitRunning();
        gateway = new GatewayFixture(new FailoverConfig(null, List.of("unplanned-pids-*"), null, null, null), primary, secondary);
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (mirrorMaker != null) {
            mirrorMaker.close();
        }
        if (primary != null && !primary.isRunning(0)) {
            primary.startBroker(0);
        }
    }

    /** One producer's records, for counting: which were acknowledged and when, and which sends failed. */
    private record Produced(String library, Map<String, Long> acknowledgedAt, Map<String, String> failures,
                            long sentBeforeSwitch) {
    }

    @Test
    void idempotentProducersOfEveryLibraryCarryOnOnTheSecondaryAndLossFitsTheReportedLag() throws Exception {
        SequencedProducer java = new SequencedProducer("unplanned-pids-java", TOPIC, 50, gateway.clientProperties("unplanned-pids-java"));
        KafkajsProducer node = new KafkajsProducer(kafkajs, gateway.bootstrap(), TOPIC, "unplanned-pids-kafkajs");
        KcatProducer kcat = new KcatProducer(gateway.bootstrap(), TOPIC, 1, "unplanned-pids-kcat", false);
        try {
            Await.until(() -> java.acknowledgedSince(0) >= PER_PHASE && node.acknowledged().size() >= PER_PHASE
                    && kcat.acknowledgedAt().size() >= PER_PHASE, WAIT, "every producer to write on the primary");

            primary.stopBroker(0);
            long failedAt = System.currentTimeMillis();
            // As the runbook says: the forward flow has nothing left to copy once the primary is gone.
            mirrorMaker.close();
            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), false, "unplanned-pids-test");
            long switchedAt = System.currentTimeMillis();
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            // Every value numbered at or above these was handed to its producer after the failover call returned.
            long javaSentBefore = java.sent();
            long nodeSentBefore = node.answered() + 1;
            long kcatSentBefore = kcat.sent().size();
            LagSample lag = outcome.lagAtFailure();
            assertThat(lag).as("the lag last seen, reported with the failover").isNotNull();
            TopicLag topicLag = lag.topics().stream().filter(t -> t.topic().equals(TOPIC)).findFirst().orElseThrow();
            LOG.info("Failed over in {} ms; {}", outcome.tookMillis(), outcome.message());

            Await.until(() -> java.acknowledgedSince(switchedAt) >= PER_PHASE
                            && since(node.acknowledgedAt(), switchedAt) >= PER_PHASE
                            && since(kcat.acknowledgedAt(), switchedAt) >= PER_PHASE,
                    WAIT, "every producer to write on the secondary");
            assertThat(node.alive()).as("the kafkajs producer is running; it printed %s", node.fatal()).isTrue();
            assertThat(kcat.alive()).as("kcat is running").isTrue();

            java.stop(WAIT);
            node.stop();
            int kcatExit = kcat.stop();
            assertThat(node.fatal()).as("kafkajs's fatal errors").isEmpty();
            assertThat(kcatExit).as("kcat's exit code").isZero();

            Map<String, Long> javaAcked = new HashMap<>();
            java.acknowledged().forEach(value -> javaAcked.put(value, java.acknowledgedAt(value)));
            List<Produced> producers = List.of(
                    new Produced("Java", javaAcked, java.failures(), javaSentBefore),
                    new Produced("kafkajs", node.acknowledgedAt(), node.failures(), nodeSentBefore),
                    new Produced("kcat", kcat.acknowledgedAt(), kcat.failures(), kcatSentBefore));
            assertThat(kcat.acknowledgedAt().size() + kcat.failures().size()).as("kcat's delivery reports, one per record")
                    .isEqualTo(kcat.sent().size());

            Map<String, Long> onSecondary = countValues(secondary);
            long lost = 0;
            long ackedOnPrimaryAfterSample = 0;
            for (Produced produced : producers) {
                List<String> missing = produced.acknowledgedAt().keySet().stream().filter(v -> !onSecondary.containsKey(v)).sorted().toList();
                List<String> twice = produced.acknowledgedAt().keySet().stream().filter(v -> onSecondary.getOrDefault(v, 0L) > 1).sorted().toList();
                LOG.info("{}: {} acknowledged ({} after the failover), {} lost, {} duplicated, {} failed sends {}", produced.library(),
                        produced.acknowledgedAt().size(), since(produced.acknowledgedAt(), switchedAt), missing.size(), twice.size(),
                        produced.failures().size(), produced.failures());
                assertThat(produced.acknowledgedAt()).as("%s's acknowledged records", produced.library()).isNotEmpty();
                assertThat(produced.failures().keySet()).as("%s's failed sends: only records sent before the failover returned",
                        produced.library()).allMatch(value -> sequence(value) < produced.sentBeforeSwitch());
                assertThat(missing).as("%s's lost records: all acknowledged by the primary before it died", produced.library())
                        .allMatch(value -> produced.acknowledgedAt().get(value) < failedAt);
                List<String> ackedAfterSwitch = produced.acknowledgedAt().entrySet().stream()
                        .filter(e -> e.getValue() >= switchedAt).map(Map.Entry::getKey).toList();
                assertThat(ackedAfterSwitch).as("%s's records acknowledged after the failover, each on the secondary once",
                        produced.library()).allMatch(value -> onSecondary.getOrDefault(value, 0L) == 1);
                lost += missing.size();
                ackedOnPrimaryAfterSample += produced.acknowledgedAt().values().stream()
                        .filter(at -> at >= lag.sampledAt().toEpochMilli() && at < failedAt).count();
            }
            long lossBound = topicLag.recordsMissingOnTarget() + ackedOnPrimaryAfterSample;
            LOG.info("Lost {} in all; reported lag {} records at {}, {} acknowledged by the primary after that sample",
                    lost, topicLag.recordsMissingOnTarget(), lag.sampledAt(), ackedOnPrimaryAfterSample);
            assertThat(lost).as("records lost, against the lag reported at failure").isLessThanOrEqualTo(lossBound);
        } finally {
            LOG.info("kcat printed: {}", kcat.notices());
            LOG.info("Acknowledged: Java {}, kafkajs {} (printed {}), kcat {}", java.acknowledged().size(), node.acknowledged().size(),
                    node.fatal(), kcat.acknowledgedAt().size());
            java.close();
            node.stop();
            kcat.close();
        }
    }

    private static long since(Map<String, Long> acknowledgedAt, long epochMillis) {
        return acknowledgedAt.values().stream().filter(at -> at >= epochMillis).count();
    }

    /** The number a producer gave {@code value}, {@code <name>:<n>}. */
    private static long sequence(String value) {
        return Long.parseLong(value.substring(value.lastIndexOf(':') + 1));
    }

    /** Every value in the topic on {@code cluster}, read from the start to the end offsets, and how often. */
    private static Map<String, Long> countValues(EmbeddedKafkaCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
