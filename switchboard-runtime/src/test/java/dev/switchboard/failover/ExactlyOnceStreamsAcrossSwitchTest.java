package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.GroupMember;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Kafka Streams application with {@code exactly_once_v2} does across a switch, established with the
 * real library and no restart: its transactional producer's id is unknown on the new cluster.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactlyOnceStreamsAcrossSwitchTest {

    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceStreamsAcrossSwitchTest.class);
    private static final String INPUT = "eos-words";
    private static final String OUTPUT = "eos-shouted";
    /** How long one look at the committed output polls. */
    private static final Duration POLL = Duration.ofSeconds(2);

    private EmbeddedKafkaCluster secondary;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "eos-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "eos-secondary", nodeIds = {3}) EmbeddedKafkaCluster secondary) {
        this.secondary = secondary;
        for (EmbeddedKafkaCluster cluster : List.of(primary, secondary)) {
            cluster.createTopic(INPUT, 1, 1);
            cluster.createTopic(OUTPUT, 1, 1);
        }
        gateway = new GatewayFixture(primary, secondary);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void exactlyOnceApplicationCarriesOnOnTheNewCluster() throws Exception {
        List<KafkaStreams.State> states = Collections.synchronizedList(new ArrayList<>());
        try (KafkaStreams streams = shouter(); KafkaProducer<String, String> input = producer()) {
            streams.setStateListener((now, before) -> states.add(now));
            streams.start();
            input.send(new ProducerRecord<>(INPUT, "before")).get();
            Await.until(() -> Records.committedValues(gateway.bootstrap(), OUTPUT, 1, POLL).contains("BEFORE"), Duration.ofSeconds(60), "BEFORE on the primary");

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), false, "eos-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            List<String> after = Records.numbered("after", 5);
            for (String value : after) {
                input.send(new ProducerRecord<>(INPUT, value)).get();
            }
            List<String> shouted = after.stream().map(v -> v.toUpperCase(Locale.ROOT)).toList();
            long started = System.nanoTime();
            Await.until(() -> Records.committedValues(secondary.bootstrapServers(), OUTPUT, shouted.size(), POLL).containsAll(shouted),
                    Duration.ofSeconds(150), "the records sent after the switch, transformed, committed on the secondary");
            LOG.info("exactly_once_v2 committed on the secondary {} ms after the records were sent; states seen {}",
                    (System.nanoTime() - started) / 1_000_000, states);
            Records.assertExactlyOnce(shouted, Records.committedValues(secondary.bootstrapServers(), OUTPUT, shouted.size(), POLL));
        }
    }

    private KafkaStreams shouter() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-shouter");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("eos-streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        GroupMember.SHORT_SESSIONS.forEach((key, value) -> props.put(StreamsConfig.consumerPrefix(key), value));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(INPUT).mapValues(v -> v.toUpperCase(Locale.ROOT))
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
        return new KafkaStreams(builder.build(), props);
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("eos-input"));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
