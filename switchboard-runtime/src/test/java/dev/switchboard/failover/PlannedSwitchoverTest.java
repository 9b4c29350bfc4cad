package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.failover.replication.TopicLag;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.GroupMember;
import dev.switchboard.support.Ledger;
import dev.switchboard.support.Progress;
import dev.switchboard.support.SequencedProducer;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned switchover under load, and the failback with MirrorMaker 2 replicating the other way: idempotent
 * producers and a consumer group keep running through both, never restarted, and every record is counted. The
 * standard is the one a planned switch promises: nothing acknowledged lost, nothing read twice.
 *
 * <p>The clusters differ in broker count and node ids, as real ones do. The clusters are this class's own:
 * the switch state they hold outlives the class.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlannedSwitchoverTest {

    private static final Logger LOG = LoggerFactory.getLogger(PlannedSwitchoverTest.class);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "planned-orders";
    private static final String GROUP = "planned-readers";
    /** Records each producer must have acknowledged on a cluster before the test moves on. */
    private static final int PER_PHASE = 40;

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private EmbeddedMirrorMaker forward;
    private EmbeddedMirrorMaker reverse;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "planned-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "planned-secondary", nodeIds = {3, 4}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        primary.createTopic(TOPIC, 4, 1);
        forward = EmbeddedMirrorMaker.builder(primary, secondary).start();
        forward.awaitRunning();
        gateway = new GatewayFixture(new FailoverConfig(60, List.of("planned-*"), null, null, null), primary, secondary);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {gateway, reverse, forward}) {
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
    void plannedSwitchoverAndFailbackUnderLoadLoseAndDuplicateNothing() throws Exception {
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
        List<SequencedProducer> producers = new ArrayList<>();
        List<GroupMember> readers = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                producers.add(new SequencedProducer("planned-producer-" + i, TOPIC, 50, client));
                readers.add(new GroupMember("planned-reader-" + i, GROUP, TOPIC, client, GroupMember.SHORT_SESSIONS));
            }
            awaitProgress(producers, readers, 0, "on the primary");

            // Planned switchover to the secondary.
            ClusterSwitch.Outcome toSecondary = gateway.gateway().failover(secondary.name(), true, "planned-switchover-test");
            assertThat(toSecondary.result()).as(toSecondary.message()).isEqualTo("switched");
            assertThat(toSecondary.catchUp().caughtUp()).as(toSecondary.catchUp().summary()).isTrue();
            assertThat(toSecondary.connectionsClosed()).as("every client connection was moved").isPositive();
            Map<TopicPartition, Long> endsAtSwitch = targetEnds(toSecondary.catchUp().topics());
            LOG.info("Switched to the secondary in {} ms; end offsets there {}", toSecondary.tookMillis(), endsAtSwitch);

            awaitProgress(producers, readers, System.currentTimeMillis(), "on the secondary");
            assertThat(endOffsets(primary, endsAtSwitch.keySet())).as("nothing reached the primary after the switch")
                    .isEqualTo(endsAtSwitch);
            assertEveryApplicationBack(toSecondary.epoch());

            // Failback: the forward flow stops, and the reverse flow copies only what was written since the switch.
            forward.close();
            reverse = EmbeddedMirrorMaker.builder(secondary, primary).startingAt(endsAtSwitch).start();
            reverse.awaitRunning();
            ClusterSwitch.Outcome toPrimary = gateway.gateway().failover(primary.name(), true, "planned-switchover-test failback");
            assertThat(toPrimary.result()).as(toPrimary.message()).isEqualTo("switched");
            LOG.info("Failed back to the primary in {} ms", toPrimary.tookMillis());

            awaitProgress(producers, readers, System.currentTimeMillis(), "back on the primary");
            assertEveryApplicationBack(toPrimary.epoch());

            for (SequencedProducer producer : producers) {
                producer.stop(WAIT);
                assertThat(producer.failures()).as(producer.name() + "'s failed sends").isEmpty();
            }
            Set<String> acknowledged = new HashSet<>();
            producers.forEach(producer -> acknowledged.addAll(producer.acknowledged()));
            Await.until(() -> Ledger.of(acknowledged, GroupMember.consumedBy(readers)).lost().isEmpty(), WAIT, "the readers to read every record");
            Ledger ledger = Ledger.of(acknowledged, GroupMember.consumedBy(readers));
            LOG.info("{} records acknowledged across a switchover and a failback; lost {}, read twice {}", acknowledged.size(),
                    ledger.lost().size(), ledger.extraCopies());
            assertThat(ledger.lost()).as("acknowledged records never read").isEmpty();
            assertThat(ledger.duplicated()).as("records read twice, with when").isEmpty();
            readers.forEach(reader -> assertThat(reader.commitErrors()).as(reader.clientId() + "'s failed commits").isEmpty());
        } finally {
            for (SequencedProducer producer : producers) {
                producer.close();
            }
            for (GroupMember reader : readers) {
                reader.close();
            }
        }
    }

    private static void awaitProgress(List<SequencedProducer> producers, List<GroupMember> readers, long sinceMillis, String where) {
        Progress.await(producers, readers, sinceMillis, PER_PHASE, WAIT, where);
    }

    private void assertEveryApplicationBack(long epoch) {
        RecoveryReport report = gateway.awaitEveryApplicationBack(epoch, "planned-producer-1", "planned-producer-2",
                "planned-reader-1", "planned-reader-2");
        LOG.info("Recovery after epoch {}: rto {} ms", epoch, report.rtoMillis());
    }

    private static Map<TopicPartition, Long> targetEnds(List<TopicLag> topics) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        topics.forEach(topic -> topic.partitions().forEach((partition, lag) ->
                ends.put(new TopicPartition(topic.topic(), partition), lag.targetEndOffset())));
        return ends;
    }

    private static Map<TopicPartition, Long> endOffsets(EmbeddedKafkaCluster cluster, Set<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (Admin admin = cluster.admin()) {
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
        }
        return ends;
    }
}
