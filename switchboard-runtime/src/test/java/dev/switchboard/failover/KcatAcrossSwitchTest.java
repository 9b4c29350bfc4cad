package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
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
 * librdkafka's producer and balanced consumer, through kcat, carry on across a planned switchover with MirrorMaker 2
 * replicating records and group offsets. CI installs kcat; elsewhere the test is skipped when kcat is missing.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KcatAcrossSwitchTest {

    private static final Logger LOG = LoggerFactory.getLogger(KcatAcrossSwitchTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "kcat-across";
    private static final String GROUP = "kcat-across-group";

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private EmbeddedMirrorMaker mirrorMaker;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "kcat-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "kcat-secondary", nodeIds = {4}) EmbeddedKafkaCluster secondary) {
        Kcat.assumeInstalled();
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, 2, 1);
        mirrorMaker = EmbeddedMirrorMaker.builder(primary, secondary).start();
        mirrorMaker.awaitRunning();
        gateway = new GatewayFixture(primary, secondary);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (mirrorMaker != null) {
            mirrorMaker.close();
        }
    }

    /**
     * A kcat producer fed a steady stream and a kcat balanced consumer run through a planned switchover. librdkafka
     * reports ALL_BROKERS_DOWN when every connection it has is down at once; the gateway moves connections to the new
     * cluster rather than close them, so neither kcat sees an error, the producer does not exit, and every record
     * arrives once. The producer is not idempotent: the produce hold answers what was in flight before the switch and
     * sends what it held only to the new cluster, so no record is written twice.
     */
    @Test
    void kcatProducerAndGroupConsumerCarryOnThroughAPlannedSwitchWithoutAnError() throws Exception {
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        try (Kcat.Running consumer = Kcat.start(gateway.bootstrap(), "-G", GROUP, "-q", "-u", "-f", "%s\\n",
                "-X", "auto.offset.reset=earliest", "-X", "client.id=kcat-across-consumer", TOPIC);
             Kcat.Running producer = Kcat.start(gateway.bootstrap(), "-P", "-t", TOPIC, "-X", "client.id=kcat-across-producer")) {
            SteadyStream stream = new SteadyStream(producer.stdin(), sent);
            stream.start();
            Await.until(() -> consumer.lines().size() >= 50, WAIT, "kcat to consume records sent before the switch");
            // No wait for kcat's commit here: a planned switchover waits until a group with members has committed
            // what it read, which librdkafka does every 5 s (kcat's -X auto.commit.interval.ms goes to librdkafka's
            // legacy topic configuration and changes nothing).

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), true, "kcat-across-switch-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            assertThat(gateway.gateway().status().activeCluster()).isEqualTo(secondary.name());
            int sentAtSwitch = snapshot(sent).size();
            Await.until(() -> snapshot(sent).size() >= sentAtSwitch + 200, WAIT, "the stream to go on after the switch");
            stream.stop();

            assertThat(producer.alive()).as("kcat -P still running after the switch; it printed %s", producer.errors()).isTrue();
            assertThat(producer.finish()).as("kcat -P exit code; it printed %s", producer.errors()).isZero();
            List<String> all = snapshot(sent);
            Await.until(() -> consumer.lines().size() >= all.size(), WAIT, "kcat -G to consume every record sent");
            LOG.info("kcat produced {} records ({} after the switch), consumed {}", all.size(), all.size() - sentAtSwitch,
                    consumer.lines().size());
            Records.assertExactlyOnce(all, onSecondary(all.size()));
            Records.assertExactlyOnce(all, consumer.lines());
            assertThat(consumer.alive()).isTrue();
            assertThat(producer.errors()).as("kcat -P saw no error").noneMatch(KcatAcrossSwitchTest::isError);
            assertThat(consumer.errors()).as("kcat -G saw no error").noneMatch(KcatAcrossSwitchTest::isError);
        }
        assertThat(count("switchboard.connections.closed", "cluster_switch")).as("connections closed at the switch").isZero();
        assertThat(count("switchboard.connections.moved", null)).as("connections moved at the switch").isPositive();
    }

    private double count(String counter, String cause) {
        Search search = gateway.gateway().metrics().registry().find(counter);
        return (cause == null ? search : search.tag("cause", cause)).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** What librdkafka and kcat print when something fails: "% ERROR: ...", "All broker connections are down". */
    private static boolean isError(String line) {
        return line.contains("ERROR") || line.contains("ALL_BROKERS_DOWN") || line.contains("brokers are down")
                || line.contains("Failed") || line.contains("FAIL");
    }

    /** Everything on the secondary's copy of the topic, read from the cluster itself, not through the gateway. */
    private List<String> onSecondary(int expected) {
        Map<String, Object> props = new HashMap<>(secondary.clientProperties());
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            return Records.pollValues(reader, expected, WAIT);
        }
    }

    /** Lines written to kcat's stdin, one every few milliseconds, each numbered, until stopped. */
    private static final class SteadyStream {

        private final OutputStream stdin;
        private final List<String> sent;
        private final Thread writer;
        private volatile boolean running = true;

        SteadyStream(OutputStream stdin, List<String> sent) {
            this.stdin = stdin;
            this.sent = sent;
            this.writer = new Thread(this::write, "kcat-stream");
            writer.setDaemon(true);
        }

        void start() {
            writer.start();
        }

        void stop() throws InterruptedException {
            running = false;
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }

        private void write() {
            try {
                for (int i = 0; running; i++) {
                    String value = "stream-" + i;
                    stdin.write((value + "\n").getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                    sent.add(value);
                    Thread.sleep(5);
                }
            } catch (IOException e) {
                LOG.warn("kcat's stdin closed: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> snapshot(List<String> consumed) {
        synchronized (consumed) {
            return new ArrayList<>(consumed);
        }
    }
}
