package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two gateway instances in front of the same two clusters: a switch requested at one moves the other and its
 * clients, both present one virtual cluster, and an instance started later follows the switch. The clusters are
 * this class's own, since the switch state they hold outlives the class.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstancesTest {

    private static final Duration SWITCH_WAIT = Duration.ofSeconds(30);
    private static final String PINNED = "instances-pinned";
    /** Instances on one host need distinct ports, so they are told the cluster id they share. */
    private static final String CLUSTER_ID = "two-instances-virtual";

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private FailoverConfig failover;
    private GatewayFixture a;
    private GatewayFixture b;

    @BeforeAll
    void start(@KafkaCluster(name = "instances-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "instances-secondary", nodeIds = {7}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        // Stands for a MirrorMaker 2 flow into the secondary, one that never catches up by itself: a planned switch
        // refuses to start without one.
        secondary.createTopic(primary.name() + ".checkpoints.internal", 1, 1);
        this.failover = new FailoverConfig(null, null, null, Map.of(PINNED, primary.name()), null);
        a = new GatewayFixture(CLUSTER_ID, failover, primary, secondary);
        b = new GatewayFixture(CLUSTER_ID, failover, primary, secondary);
        Await.until(() -> a.gateway().instances().keySet().containsAll(Set.of(a.gateway().instanceId(), b.gateway().instanceId()))
                && b.gateway().instances().keySet().containsAll(Set.of(a.gateway().instanceId(), b.gateway().instanceId())),
                SWITCH_WAIT, "both instances to see each other's reports");
    }

    @AfterAll
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    @Order(1)
    void plannedSwitchoverHoldsProduceOnBothInstancesThenMovesBoth() throws Exception {
        String topic = "instances-planned";
        primary.createTopic(topic, 1, 1);
        secondary.createTopic(topic, 1, 1);
        try (KafkaProducer<String, String> direct = producer(primary.clientProperties(), "direct-primary")) {
            for (int i = 0; i < 3; i++) {
                direct.send(new ProducerRecord<>(topic, "before-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaProducer<String, String> direct = producer(secondary.clientProperties(), "direct-secondary")) {
            for (int i = 0; i < 2; i++) {
                direct.send(new ProducerRecord<>(topic, "before-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaProducer<String, String> throughB = producer(b.clientProperties("planned-producer-b"), null)) {
            throughB.send(new ProducerRecord<>(topic, "warm-up")).get(30, TimeUnit.SECONDS);
            // Primary now has 4 records, secondary 2: replication is behind until the test catches it up by hand.
            CompletableFuture<ClusterSwitch.Outcome> switching = CompletableFuture.supplyAsync(
                    () -> a.gateway().failover(secondary.name(), true, "two-instances-test"));

            Await.until(() -> bothHolding(a.gateway()), SWITCH_WAIT, "both instances to report a produce hold to A");
            Map<String, InstanceReport> reports = a.gateway().instances();
            long holdEpoch = reports.get(a.gateway().instanceId()).holdingEpoch();
            assertThat(reports.get(b.gateway().instanceId()).holdingEpoch()).isEqualTo(holdEpoch).isNotNegative();

            Future<RecordMetadata> held = throughB.send(new ProducerRecord<>(topic, "held"));
            assertThat(switching).as("the switchover waits for replication").isNotDone();

            try (KafkaProducer<String, String> direct = producer(secondary.clientProperties(), "catch-up-by-hand")) {
                direct.send(new ProducerRecord<>(topic, "warm-up")).get(30, TimeUnit.SECONDS);
                // The held record went nowhere yet, so both clusters have 4 records now, unless it was sent to primary.
                direct.send(new ProducerRecord<>(topic, "before-2")).get(30, TimeUnit.SECONDS);
            }
            ClusterSwitch.Outcome outcome = switching.get(60, TimeUnit.SECONDS);
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            assertThat(outcome.planned()).isTrue();
            awaitActive(b, secondary.name(), outcome.epoch());

            RecordMetadata landed = held.get(60, TimeUnit.SECONDS);
            assertThat(List.of(endOffset(primary, topic), endOffset(secondary, topic), landed.offset()))
                    .as("end offsets on primary and secondary, and the held record's offset").containsExactly(4L, 5L, 4L);
            Await.until(() -> a.gateway().instances().values().stream().allMatch(r -> r.holdingEpoch() < 0
                            || !Set.of(a.gateway().instanceId(), b.gateway().instanceId()).contains(r.instanceId())),
                    SWITCH_WAIT, "both instances to report the hold over");
        } finally {
            backToPrimary();
        }
    }

    @Test
    @Order(2)
    void failoverAtOneInstanceMovesTheOtherAndItsClients() throws Exception {
        String topic = "instances-moved";
        primary.createTopic(topic, 1, 1);
        secondary.createTopic(topic, 1, 1);
        primary.createTopic("instances-only-primary", 1, 1);
        secondary.createTopic("instances-only-secondary", 1, 1);
        primary.createTopic(PINNED, 1, 1);
        secondary.createTopic(PINNED, 1, 1);
        long primaryBefore = endOffset(primary, topic);
        long secondaryBefore = endOffset(secondary, topic);
        try (KafkaProducer<String, String> throughB = producer(b.clientProperties("moved-producer-b"), null);
             Admin adminB = Admin.create(b.clientProperties("moved-admin-b"))) {
            throughB.send(new ProducerRecord<>(topic, "on-primary")).get(30, TimeUnit.SECONDS);
            throughB.send(new ProducerRecord<>(PINNED, "pinned-on-primary")).get(30, TimeUnit.SECONDS);
            assertThat(endOffset(primary, topic)).isEqualTo(primaryBefore + 1);
            assertThat(adminB.listTopics().names().get(30, TimeUnit.SECONDS)).contains("instances-only-primary")
                    .doesNotContain("instances-only-secondary");

            ClusterSwitch.Outcome outcome = a.gateway().failover(secondary.name(), false, "two-instances-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            awaitActive(b, secondary.name(), outcome.epoch());

            RecordMetadata onSecondary = throughB.send(new ProducerRecord<>(topic, "on-secondary")).get(60, TimeUnit.SECONDS);
            // Both ends read before either is asserted, so a failure shows where the record went.
            long secondaryAfter = endOffset(secondary, topic);
            long primaryAfter = endOffset(primary, topic);
            String where = "acknowledged at offset " + onSecondary.offset() + "; end offsets now secondary " + secondaryAfter
                    + " (was " + secondaryBefore + "), primary " + primaryAfter + " (was " + primaryBefore + ")";
            assertThat(secondaryAfter).as("the producer through B now writes to the secondary: %s", where)
                    .isEqualTo(secondaryBefore + 1);
            assertThat(primaryAfter).as(where).isEqualTo(primaryBefore + 1);
            Await.until(() -> topics(adminB).contains("instances-only-secondary"),
                    SWITCH_WAIT, "B's admin client to see the secondary's topics");
            assertThat(adminB.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("instances-only-primary");

            // Pinned to the primary: refused while the secondary is active; other topics go on.
            assertThatThrownBy(() -> throughB.send(new ProducerRecord<>(PINNED, "pinned-on-secondary")).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(endOffset(secondary, PINNED)).isZero();
            throughB.send(new ProducerRecord<>(topic, "still-on-secondary")).get(60, TimeUnit.SECONDS);
            assertThat(endOffset(secondary, topic)).isEqualTo(secondaryBefore + 2);

            assertSameVirtualCluster(a, b);

            try (GatewayFixture c = new GatewayFixture(CLUSTER_ID, failover, primary, secondary)) {
                assertThat(c.gateway().status().activeCluster()).as("an instance started after the switch")
                        .isEqualTo(secondary.name());
                assertThat(c.gateway().status().switchEpoch()).isEqualTo(outcome.epoch());
                try (Admin adminC = Admin.create(c.clientProperties("late-admin-c"))) {
                    assertThat(adminC.listTopics().names().get(30, TimeUnit.SECONDS)).contains("instances-only-secondary")
                            .doesNotContain("instances-only-primary");
                }
                assertSameVirtualCluster(a, c);
            }
        } finally {
            backToPrimary();
        }
    }

    /**
     * A switch closes the connections to the old cluster's nodes, so that clients find the new cluster's, but moves an
     * idle bootstrap connection to the new cluster: a client so keeps one connection up, and librdkafka does not report
     * all brokers down.
     */
    @Test
    @Order(3)
    void idleConnectionsStayOpenAndAreServedByTheNewCluster() throws Exception {
        primary.createTopic("instances-kept-only-primary", 1, 1);
        secondary.createTopic("instances-kept-only-secondary", 1, 1);
        short metadataVersion = 12;
        int nodePort = b.gateway().status().listeners().nodePorts().get(primary.nodeIds().get(0));
        try (RawKafkaSocket bootstrap = new RawKafkaSocket(GatewayFixture.ADVERTISED_HOST, b.bootstrapPort());
             RawKafkaSocket node = new RawKafkaSocket(GatewayFixture.ADVERTISED_HOST, nodePort)) {
            bootstrap.apiVersions((short) 3);
            node.apiVersions((short) 3);
            assertThat(topicNames(bootstrap.metadata(metadataVersion))).contains("instances-kept-only-primary")
                    .doesNotContain("instances-kept-only-secondary");
            assertThat(topicNames(node.metadata(metadataVersion))).contains("instances-kept-only-primary");

            ClusterSwitch.Outcome outcome = a.gateway().failover(secondary.name(), false, "two-instances-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");
            awaitActive(b, secondary.name(), outcome.epoch());

            Await.until(() -> b.gateway().status().clients().stream().filter(c -> c.clientId().equals("raw-socket"))
                            .flatMap(c -> c.details().stream())
                            .filter(c -> secondary.name().equals(c.cluster()) && c.state().equals("Forwarding")).count() == 2,
                    SWITCH_WAIT, "the bootstrap and node connections to forward to the secondary");
            // The node connection now reaches the secondary's broker behind the same virtual node.
            for (RawKafkaSocket connection : List.of(bootstrap, node)) {
                assertThat(topicNames(connection.metadata(metadataVersion))).contains("instances-kept-only-secondary")
                        .doesNotContain("instances-kept-only-primary");
            }
        } finally {
            backToPrimary();
        }
    }

    private static Set<String> topicNames(MetadataResponseData metadata) {
        return metadata.topics().stream().map(MetadataResponseData.MetadataResponseTopic::name).collect(Collectors.toSet());
    }

    private boolean bothHolding(Gateway gateway) {
        Map<String, InstanceReport> reports = gateway.instances();
        InstanceReport ra = reports.get(a.gateway().instanceId());
        InstanceReport rb = reports.get(b.gateway().instanceId());
        return ra != null && rb != null && ra.holdingEpoch() >= 0 && ra.holdingEpoch() == rb.holdingEpoch();
    }

    /** One virtual cluster: its id, its node ids, and each node on the same offset in each instance's port range. */
    private static void assertSameVirtualCluster(GatewayFixture first, GatewayFixture second) throws Exception {
        try (Admin one = Admin.create(first.clientProperties("virtual-cluster-1"));
             Admin two = Admin.create(second.clientProperties("virtual-cluster-2"))) {
            DescribeClusterResult d1 = one.describeCluster();
            DescribeClusterResult d2 = two.describeCluster();
            assertThat(d2.clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(d1.clusterId().get(30, TimeUnit.SECONDS));
            assertThat(nodeIds(d2.nodes().get(30, TimeUnit.SECONDS))).isEqualTo(nodeIds(d1.nodes().get(30, TimeUnit.SECONDS)));
        }
        Map<Integer, Integer> p1 = first.gateway().status().listeners().nodePorts();
        Map<Integer, Integer> p2 = second.gateway().status().listeners().nodePorts();
        assertThat(p2.keySet()).isEqualTo(p1.keySet());
        // On one host each instance has its own port range; the same node sits at the same place in each.
        assertThat(offsets(p2, second.nodePorts().first())).isEqualTo(offsets(p1, first.nodePorts().first()));
    }

    private static Set<Integer> nodeIds(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<Integer, Integer> offsets(Map<Integer, Integer> ports, int first) {
        return ports.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - first));
    }

    private void backToPrimary() {
        if (!a.gateway().status().activeCluster().equals(primary.name())) {
            ClusterSwitch.Outcome back = a.gateway().failover(primary.name(), false, "two-instances-test cleanup");
            awaitActive(b, primary.name(), back.epoch());
        }
    }

    private static void awaitActive(GatewayFixture fixture, String cluster, long epoch) {
        Await.until(() -> fixture.gateway().status().activeCluster().equals(cluster)
                        && fixture.gateway().status().switchEpoch() != null && fixture.gateway().status().switchEpoch() >= epoch,
                SWITCH_WAIT, "instance to switch to " + cluster + " at epoch " + epoch);
    }

    private static Set<String> topics(Admin admin) {
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        }
    }

    private static long endOffset(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(30, TimeUnit.SECONDS).offset();
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> base, String clientId) {
        Map<String, Object> props = new HashMap<>(base);
        if (clientId != null) {
            props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        }
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
        return new KafkaProducer<>(props);
    }
}
