package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.switchboard.producerids.ClusterProducerIds;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent producers of three libraries, kafka-clients, kafkajs 2.2.4 (from npm) and librdkafka (kcat with
 * {@code enable.idempotence=true}), send on through a planned switchover without one failed send, and every record
 * they had acknowledged is on the target exactly once. The Java producer's id on the primary is made to equal the id
 * of a producer that writes straight to the target, outside the gateway, as MirrorMaker 2's own producer does: with
 * virtual producer ids the two do not meet there, and neither loses a record nor sees an error.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotentProducersAcrossSwitchTest {

    private static final Logger LOG = LoggerFactory.getLogger(IdempotentProducersAcrossSwitchTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "pids-across";
    /**
     * Enough partitions, and a Java producer fast enough, that its batches for several partitions are in flight
     * when the target answers the old topic ids with UNKNOWN_TOPIC_ID, and its next ones go out with the new ids
     * before it retries those (once 1,373 sends of the failover benchmark hung that way).
     */
    private static final int PARTITIONS = 8;
    private static final int JAVA_RECORDS_PER_SECOND = 400;
    /** Records each producer must have acknowledged on a cluster before the test moves on. */
    private static final int PER_PHASE = 30;

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private EmbeddedMirrorMaker mirrorMaker;
    private GatewayFixture gateway;
    private Path kafkajs;

    @BeforeAll
    void start(@KafkaCluster(name = "pids-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "pids-secondary", nodeIds = {5}) EmbeddedKafkaCluster secondary) throws Exception {
        Kcat.assumeInstalled();
        kafkajs = KafkajsProducer.install();
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, PARTITIONS, 1);
        mirrorMaker = EmbeddedMirrorMaker.builder(primary, secondary).start();
        mirrorMaker.awaitRunning();
        gateway = new GatewayFixture(primary, secondary);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {gateway, mirrorMaker}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                LOG.warn("Closing {} failed", closeable, e);
            }
        }
    }

    @Test
    void idempotentProducersOfEveryLibrarySendOnAcrossAPlannedSwitchAndMeetNoProducerOfTheTarget() throws Exception {
        advancePrimaryPastSecondary();
        SequencedProducer java = new SequencedProducer("pids-java", TOPIC, JAVA_RECORDS_PER_SECOND, gateway.clientProperties("pids-java"));
        DirectProducer collider = null;
        KafkajsProducer node = null;
        KcatProducer kcat = null;
        try {
            Await.until(() -> java.acknowledgedSince(0) > 0, WAIT, "the Java producer to write on the primary");
            // The only producer on the topic yet. The direct producer takes the same id on the target at once; it
            // writes only after the switch, so that replication can catch up before it.
            long sharedId = producerIds(primary).iterator().next();
            advanceSecondaryTo(sharedId);
            collider = new DirectProducer(secondary, "pids-collider");
            node = new KafkajsProducer(kafkajs, gateway.bootstrap(), TOPIC, "pids-kafkajs");
            kcat = new KcatProducer(gateway.bootstrap(), TOPIC, 0, "pids-kcat", true);
            KafkajsProducer kafkajsProducer = node;
            Await.until(() -> java.acknowledgedSince(0) >= PER_PHASE && kafkajsProducer.acknowledged().size() >= PER_PHASE,
                    WAIT, "the producers to write on the primary");

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), true, "idempotent-producers-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            long switchedAt = System.currentTimeMillis();
            int nodeAtSwitch = node.acknowledged().size();
            collider.send();
            assertThat(producerIds(secondary)).as("the direct producer's id on the target").contains(sharedId);
            Await.until(() -> java.acknowledgedSince(switchedAt) >= PER_PHASE
                            && kafkajsProducer.acknowledged().size() >= nodeAtSwitch + PER_PHASE,
                    WAIT, "the producers to write on the secondary");
            collider.send();

            java.stop(WAIT);
            node.stop();
            int kcatExit = kcat.stop();
            collider.stop();
            assertThat(java.failures()).as("the Java producer's failed sends").isEmpty();
            assertThat(node.failures()).as("kafkajs's failed sends").isEmpty();
            assertThat(collider.failures()).as("the direct producer's failed sends").isEmpty();
            assertThat(kcat.errors()).as("kcat's errors about its sends").isEmpty();
            assertThat(kcatExit).as("kcat's exit code").isZero();
            assertThat(kcat.failures()).as("kcat's failed deliveries").isEmpty();

            Map<String, Long> onTarget = countValues(secondary);
            assertExactlyOnce("Java", java.acknowledged(), onTarget);
            assertExactlyOnce("kafkajs", node.acknowledged(), onTarget);
            assertExactlyOnce("kcat", kcat.sent(), onTarget);
            assertExactlyOnce("direct", collider.acknowledged(), onTarget);
            LOG.info("On the target: {} records; Java {}, kafkajs {}, kcat {}, direct {}", onTarget.size(),
                    java.acknowledged().size(), node.acknowledged().size(), kcat.sent().size(), collider.acknowledged().size());
        } finally {
            java.close();
            if (node != null) {
                node.stop();
            }
            if (kcat != null) {
                kcat.close();
            }
            if (collider != null) {
                collider.stop();
            }
        }
    }

    /**
     * Asks the primary for producer ids until its next one is well past the secondary's, so that the secondary can be
     * brought to the id the Java producer gets on the primary. Other producers (MirrorMaker 2's among them) may take
     * ids on the primary meanwhile, so the Java producer's id is read afterwards, not predicted.
     */
    private void advancePrimaryPastSecondary() throws Exception {
        try (ClusterProducerIds ids = new ClusterProducerIds(gateway.gateway().clusters())) {
            long onSecondary = ids.obtain(secondary.name()).get(30, TimeUnit.SECONDS).producerId();
            long onPrimary = ids.obtain(primary.name()).get(30, TimeUnit.SECONDS).producerId();
            while (onPrimary < onSecondary + 10) {
                onPrimary = ids.obtain(primary.name()).get(30, TimeUnit.SECONDS).producerId();
            }
        }
    }

    /** Asks the secondary for producer ids until the next one it issues is {@code next}. */
    private void advanceSecondaryTo(long next) throws Exception {
        try (ClusterProducerIds ids = new ClusterProducerIds(gateway.gateway().clusters())) {
            long onSecondary = ids.obtain(secondary.name()).get(30, TimeUnit.SECONDS).producerId();
            assertThat(onSecondary).as("the secondary's last producer id, below the Java producer's %s", next).isLessThan(next);
            while (onSecondary < next - 1) {
                onSecondary = ids.obtain(secondary.name()).get(30, TimeUnit.SECONDS).producerId();
            }
        }
    }

    private static Set<Long> producerIds(EmbeddedKafkaCluster cluster) throws Exception {
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        try (Admin admin = cluster.admin()) {
            return admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).values().stream()
                    .flatMap(description -> description.activeProducers().stream()).map(ProducerState::producerId)
                    .collect(Collectors.toSet());
        }
    }

    private static void assertExactlyOnce(String producer, Collection<String> acknowledged, Map<String, Long> onTarget) {
        assertThat(acknowledged).as("%s's records", producer).isNotEmpty();
        List<String> lost = acknowledged.stream().filter(value -> !onTarget.containsKey(value)).sorted().toList();
        List<String> twice = acknowledged.stream().filter(value -> onTarget.getOrDefault(value, 0L) > 1).sorted().toList();
        assertThat(lost).as("%s's acknowledged records missing on the target", producer).isEmpty();
        assertThat(twice).as("%s's records on the target more than once", producer).isEmpty();
    }

    /** Every value in the topic on {@code cluster}, read from the start to the end offsets, and how often. */
    private static Map<String, Long> countValues(EmbeddedKafkaCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
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

    /** An idempotent producer writing straight to a cluster, outside the gateway, as MirrorMaker 2's does. */
    private static final class DirectProducer {

        private final KafkaProducer<String, String> producer;
        private final String name;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final Map<String, String> failures = new ConcurrentHashMap<>();
        private int next;

        DirectProducer(EmbeddedKafkaCluster cluster, String name) throws Exception {
            Map<String, Object> props = new HashMap<>(cluster.clientProperties());
            props.put(ProducerConfig.CLIENT_ID_CONFIG, name);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
            this.name = name;
        }

        /** Sends a few records to each partition and waits for them. */
        void send() throws Exception {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String value = name + ":" + next++;
                CompletableFuture<Void> done = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(TOPIC, i % 2, value, value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.add(value);
                    } else {
                        failures.put(value, error.toString());
                    }
                    done.complete(null);
                });
                sends.add(done);
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }

        Set<String> acknowledged() {
            return acknowledged;
        }

        Map<String, String> failures() {
            return failures;
        }

        void stop() {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
