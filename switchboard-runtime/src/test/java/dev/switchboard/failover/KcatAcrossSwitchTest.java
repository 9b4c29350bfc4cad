package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * librdkafka's balanced consumer, through kcat, keeps consuming across a planned switchover with MirrorMaker 2
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

    @Test
    void kcatGroupConsumerReadsEveryRecordProducedAfterThePlannedSwitch() throws Exception {
        List<String> before = Records.numbered("before", 20);
        List<String> after = Records.numbered("after", 20);
        List<String> consumed = Collections.synchronizedList(new ArrayList<>());
        Process kcat = new ProcessBuilder("kcat", "-b", gateway.bootstrap(), "-G", GROUP, "-q", "-u", "-f", "%s\\n",
                "-X", "auto.offset.reset=earliest", "-X", "client.id=kcat-across",
                TOPIC).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(kcat.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.isEmpty()) {
                        consumed.add(line);
                    }
                }
            } catch (IOException e) {
                LOG.debug("kcat output ended: {}", e.toString());
            }
        }, "kcat-output");
        reader.setDaemon(true);
        reader.start();
        try (KafkaProducer<String, String> producer = producer()) {
            for (String value : before) {
                producer.send(new ProducerRecord<>(TOPIC, value, value)).get(30, TimeUnit.SECONDS);
            }
            Await.until(() -> snapshot(consumed).containsAll(before), WAIT, "kcat to consume the records sent before the switch");
            // No wait for kcat's commit here: a planned switchover waits until a group with members has committed
            // what it read, which librdkafka does every 5 s (kcat's -X auto.commit.interval.ms goes to librdkafka's
            // legacy topic configuration and changes nothing).

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), true, "kcat-across-switch-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            assertThat(gateway.gateway().status().activeCluster()).isEqualTo(secondary.name());

            for (String value : after) {
                producer.send(new ProducerRecord<>(TOPIC, value, value)).get(60, TimeUnit.SECONDS);
            }
            Await.until(() -> snapshot(consumed).containsAll(after), WAIT,
                    "kcat to consume the records sent after the switch; it has " + snapshot(consumed));
        } finally {
            kcat.destroy();
            kcat.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        List<String> all = snapshot(consumed);
        Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map<String, Long> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        LOG.info("kcat consumed {} records across the switch, duplicates: {}", all.size(), duplicated);
        assertThat(after.stream().filter(v -> counts.getOrDefault(v, 0L) != 1).toList())
                .as("records sent after the switch not consumed exactly once (duplicates %s)", duplicated).isEmpty();
        assertThat(duplicated).as("records consumed twice: the group's offsets did not carry over").isEmpty();
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("kcat-across-producer"));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    private static List<String> snapshot(List<String> consumed) {
        synchronized (consumed) {
            return new ArrayList<>(consumed);
        }
    }
}
