package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.failover.replication.LagSample;
import dev.switchboard.failover.replication.TopicLag;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.GroupMember;
import dev.switchboard.support.Ledger;
import dev.switchboard.support.SequencedProducer;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.serialization.Serdes;
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
 * The failover Switchboard exists for: MirrorMaker 2 replicates the primary, an idempotent producer, a consumer
 * group and a Kafka Streams application run through the gateway, the primary's broker is stopped for real, and
 * one call moves everyone to the secondary. No client is restarted or reconfigured. Every record is counted by
 * its sequence number: what was lost must fit the replication lag the failover reported, and what was read
 * twice is counted and reported.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnplannedFailoverTest {

    private static final Logger LOG = LoggerFactory.getLogger(UnplannedFailoverTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String EVENTS = "unplanned-events";
    private static final String SHOUTED = "unplanned-shouted";
    private static final int PER_PHASE = 60;

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private EmbeddedMirrorMaker mirrorMaker;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "unplanned-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "unplanned-secondary", nodeIds = {6}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(EVENTS, 3, 1);
        primary.createTopic(SHOUTED, 3, 1);
        mirrorMaker = EmbeddedMirrorMaker.builder(primary, secondary).start();
        mirrorMaker.awaitRunning();
        gateway = new GatewayFixture(new FailoverConfig(null, List.of("unplanned-*"), null, null, null), primary, secondary);
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

    @Test
    void everyClientResumesOnTheSecondaryAndLossFitsTheReportedLag() throws Exception {
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
        SequencedProducer producer = new SequencedProducer("unplanned-producer", EVENTS, 50, client);
        List<GroupMember> readers = List.of(
                new GroupMember("unplanned-reader-1", "unplanned-readers", EVENTS, client, GroupMember.SHORT_SESSIONS),
                new GroupMember("unplanned-reader-2", "unplanned-readers", EVENTS, client, GroupMember.SHORT_SESSIONS));
        GroupMember shoutedReader = new GroupMember("unplanned-shouted-reader", "unplanned-shouted-readers", SHOUTED, client,
                GroupMember.SHORT_SESSIONS);
        KafkaStreams shouter = shouter();
        try {
            shouter.start();
            awaitProgress(producer, readers, shoutedReader, 0, "on the primary");

            primary.stopBroker(0);
            long failedAt = System.currentTimeMillis();
            // The runbook's step, as docs/failover.md gives it: the forward flow has nothing left to copy, and its
            // group offset sync, still running on what it last translated, could rewind a group that has just
            // started on the secondary (KAFKA-19794).
            mirrorMaker.close();
            LOG.info("MirrorMaker 2 stopped {} ms after the primary", System.currentTimeMillis() - failedAt);
            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), false, "unplanned-failover-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            LagSample lag = outcome.lagAtFailure();
            assertThat(lag).as("the lag last seen, reported with the failover").isNotNull();
            TopicLag eventsLag = lag.topics().stream().filter(t -> t.topic().equals(EVENTS)).findFirst().orElseThrow();
            LOG.info("Failed over in {} ms; {}", outcome.tookMillis(), outcome.message());

            awaitProgress(producer, readers, shoutedReader, System.currentTimeMillis(), "on the secondary");
            // It may rebalance again as its members rejoin one by one on the secondary; what counts is that it runs
            // on, by itself, without an error.
            Await.until(() -> shouter.state() == KafkaStreams.State.RUNNING, WAIT, "Kafka Streams to be running on the secondary");
            awaitEveryApplicationBack(outcome.epoch());

            producer.stop(WAIT);
            Set<String> acknowledgedAfter = new HashSet<>();
            Set<String> acknowledged = producer.acknowledged();
            Map<String, Long> ackedAt = new HashMap<>();
            acknowledged.forEach(value -> ackedAt.put(value, producer.acknowledgedAt(value)));
            ackedAt.forEach((value, at) -> {
                if (at >= failedAt) {
                    acknowledgedAfter.add(value);
                }
            });
            Await.until(() -> GroupMember.consumedBy(readers).stream().map(GroupMember.Consumed::value).collect(Collectors.toSet())
                    .containsAll(acknowledgedAfter), WAIT, "the readers to read every record acknowledged by the secondary");

            Ledger ledger = Ledger.of(acknowledged, GroupMember.consumedBy(readers));
            long ackedOnPrimaryAfterSample = ackedAt.values().stream()
                    .filter(at -> at >= lag.sampledAt().toEpochMilli() && at < failedAt).count();
            long lossBound = eventsLag.recordsMissingOnTarget() + ackedOnPrimaryAfterSample;
            long readTwiceAfterTheSwitch = ledger.duplicated().values().stream().filter(times -> times.get(0) >= failedAt).count();
            LOG.info("Unplanned failover: {} acknowledged, {} lost (reported lag {} records at {}, {} acknowledged by the "
                            + "primary after that sample), {} read twice ({} with both reads after the primary stopped)",
                    acknowledged.size(), ledger.lost().size(), eventsLag.recordsMissingOnTarget(), lag.sampledAt(),
                    ackedOnPrimaryAfterSample, ledger.extraCopies(), readTwiceAfterTheSwitch);
            assertThat(ledger.lost()).as("records lost: all acknowledged by the primary before it died")
                    .allMatch(value -> ackedAt.get(value) < failedAt);
            assertThat((long) ledger.lost().size()).as("records lost, against the lag reported at failure").isLessThanOrEqualTo(lossBound);
            // A member whose commit fails while its group rebalances on the secondary leaves those records to be read
            // again by the next owner: at-least-once, as on any cluster. Nothing else may read a record twice there.
            Map<String, Integer> commitErrors = new HashMap<>();
            readers.forEach(reader -> reader.commitErrors().forEach((type, count) -> commitErrors.merge(type, count, Integer::sum)));
            LOG.info("Readers' failed commits: {}", commitErrors);
            if (commitErrors.isEmpty()) {
                assertThat(readTwiceAfterTheSwitch).as("records read twice on the secondary with every commit accepted; e.g. %s",
                        ledger.reads().entrySet().stream().filter(e -> e.getValue().get(0).atMillis() >= failedAt).limit(3).toList())
                        .isZero();
            }
            assertThat(producer.failures()).as("the producer carried on without an error").isEmpty();

            // Kafka Streams rejoins on the secondary at its own pace, and may still be working through what it
            // last committed on the primary when the readers are done.
            Await.until(() -> shoutedAfter(shoutedReader, acknowledgedAfter) > 0, WAIT,
                    "Kafka Streams to transform records written after the failover");
        } finally {
            shouter.close(Duration.ofSeconds(10));
            producer.close();
            for (GroupMember reader : readers) {
                reader.close();
            }
            shoutedReader.close();
        }
    }

    /** How many of {@code written} came out of Kafka Streams, upper-cased, as the shouted reader read them. */
    private static long shoutedAfter(GroupMember shoutedReader, Set<String> written) {
        Set<String> shoutedValues = new HashSet<>();
        shoutedReader.consumed().forEach(c -> shoutedValues.add(c.value()));
        return written.stream().filter(v -> shoutedValues.contains(v.toUpperCase(Locale.ROOT))).count();
    }

    private KafkaStreams shouter() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "unplanned-shouter");
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "unplanned-shouter");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("unplanned-streams").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        GroupMember.SHORT_SESSIONS.forEach((key, value) -> props.put(StreamsConfig.consumerPrefix(key), value));
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream(EVENTS).mapValues(v -> v.toUpperCase(Locale.ROOT))
                .to(SHOUTED, Produced.with(Serdes.String(), Serdes.String()));
        return new KafkaStreams(builder.build(), props);
    }

    /** Since {@code sinceMillis}: the producer had records acknowledged, the readers and Kafka Streams' output moved on. */
    private static void awaitProgress(SequencedProducer producer, List<GroupMember> readers, GroupMember shoutedReader,
                                      long sinceMillis, String where) {
        Await.until(() -> producer.acknowledgedSince(sinceMillis) >= PER_PHASE
                        && GroupMember.consumedBy(readers).stream().filter(c -> c.atMillis() >= sinceMillis).count() >= PER_PHASE
                        && shoutedReader.consumed().stream().filter(c -> c.atMillis() >= sinceMillis).count() >= PER_PHASE / 2,
                WAIT, "the producer, the readers and Kafka Streams to make progress " + where);
    }

    private void awaitEveryApplicationBack(long epoch) {
        RecoveryReport report = gateway.awaitEveryApplicationBack(epoch, "unplanned-producer", "unplanned-reader-1",
                "unplanned-reader-2", "unplanned-shouted-reader");
        LOG.info("Recovery after epoch {}: rto {} ms", epoch, report.rtoMillis());
    }
}
