package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import dev.switchboard.chaos.faults.Outage;
import dev.switchboard.datapath.ConnectionInfo;
import dev.switchboard.gateway.GatewayStatus;
import dev.switchboard.support.Await;
import dev.switchboard.support.Records;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The protocol-level faults felt by real Java clients through a real broker, each beside a client out of scope that
 * the same gateway serves at the same time: an outage that closes or blackholes one client id's connections, a
 * throttle the clients' own metrics show, and authorization failures on one topic and one group.
 */
class ProtocolFaultsWithJavaClientsTest extends GatewayWithChaosRules {

    @Test
    void anOutageClosesTheConnectionsOfTheClientInScopeWhileAnotherClientIsServed() throws Exception {
        cluster.createTopic("outage-orders", 1, 1);
        addRule("{\"name\":\"orders-app-down\",\"type\":\"outage\",\"scope\":{\"clientId\":\"orders-app\"}}");
        double closedBefore = outageCloses();
        List<String> sent = new ArrayList<>();

        try (KafkaProducer<String, String> down = producer("orders-app", Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000))) {
            assertThatThrownBy(() -> down.send(new ProducerRecord<>("outage-orders", "lost", "lost")).get())
                    .as("a send by the client in scope").hasCauseInstanceOf(TimeoutException.class);
            assertThat(outageCloses()).as("connections closed under cause " + Outage.CLOSE_CAUSE).isGreaterThan(closedBefore);

            List<String> healthy = Records.numbered("healthy", 20);
            try (KafkaProducer<String, String> served = producer("billing-app", Map.of())) {
                sendAll(served, "outage-orders", healthy);
            }
            sent.addAll(healthy);

            gateway.chaos().remove("orders-app-down", "test");
            // The same producer, which kept reconnecting: its sends time out until a reconnect gets through.
            List<String> back = Records.numbered("back", 5);
            Await.until(() -> sendsOnce(down, "outage-orders", back.get(0)), WAIT, "orders-app to produce once the outage is over");
            sendAll(down, "outage-orders", back.subList(1, back.size()));
            sent.addAll(back);
        }
        try (KafkaConsumer<String, String> reader = assignedConsumer("outage-reader", "outage-orders")) {
            Records.assertExactlyOnce(sent, Records.pollValues(reader, sent.size(), WAIT));
        }
    }

    @Test
    void anOutageClosesTheIdleConnectionsOfTheClientInScopeAsSoonAsItIsLive() throws Exception {
        cluster.createTopic("outage-idle", 1, 1);
        try (KafkaProducer<String, String> idle = producer("idle-app", Map.of());
             KafkaProducer<String, String> other = producer("busy-app", Map.of())) {
            idle.send(new ProducerRecord<>("outage-idle", "first", "first")).get();
            other.send(new ProducerRecord<>("outage-idle", "other", "other")).get();
            Set<String> idleConnections = connectionsOf("idle-app");
            Set<String> otherConnections = connectionsOf("busy-app");
            assertThat(idleConnections).as("idle-app's open connections").isNotEmpty();

            // The producer sends nothing more: only a close at the rule's start can end its connections.
            addRule("{\"name\":\"idle-app-down\",\"type\":\"outage\",\"scope\":{\"clientId\":\"idle-app\"}}");
            Await.until(() -> openRemotes().stream().noneMatch(idleConnections::contains), Duration.ofSeconds(20),
                    "idle-app's connections to close while it sends nothing");
            assertThat(openRemotes()).as("busy-app's connections, out of scope").containsAll(otherConnections);
        }
    }

    @Test
    void aBlackholeLeavesTheClientInScopeUnansweredWhileAnotherClientIsServed() throws Exception {
        addRule("{\"name\":\"reports-app-blackhole\",\"type\":\"outage\",\"scope\":{\"clientId\":\"reports-app\"},"
                + "\"params\":{\"mode\":\"blackhole\"}}");
        double closedBefore = outageCloses();

        try (Admin unanswered = admin("reports-app"); Admin served = admin("audit-app")) {
            assertThatThrownBy(() -> unanswered.describeCluster().clusterId().get())
                    .as("describeCluster by the client in scope").hasCauseInstanceOf(TimeoutException.class);
            assertThat(served.describeCluster().nodes().get()).as("brokers the client out of scope sees").isNotEmpty();
            RuleStatus status = gateway.chaos().get("reports-app-blackhole").orElseThrow();
            assertThat(status.affected()).as("requests blackholed").isPositive();
            assertThat(outageCloses()).as("connections closed: a blackhole closes none").isEqualTo(closedBefore);

        }
        gateway.chaos().remove("reports-app-blackhole", "test");
        // A new client: the Java admin client waits on an unanswered ApiVersions without a timeout of its own, so the
        // old one may keep its silenced connection, as it would with a hung broker.
        try (Admin back = admin("reports-app")) {
            Await.until(() -> answers(back), WAIT, "reports-app to be answered once the blackhole is gone");
        }
    }

    @Test
    void aThrottleShowsInTheMetricsOfTheClientsInScopeAndNoRecordIsLost() throws Exception {
        cluster.createTopic("throttled-events", 1, 1);
        addRule("{\"name\":\"quota\",\"type\":\"throttle\",\"scope\":{\"clientId\":\"throttled-.*\"},"
                + "\"params\":{\"time\":\"300ms\"}}");
        List<String> sent = new ArrayList<>();

        List<String> throttledValues = Records.numbered("throttled", 30);
        try (KafkaProducer<String, String> throttled = producer("throttled-producer", Map.of())) {
            sendAll(throttled, "throttled-events", throttledValues);
            assertThat(metric(throttled.metrics(), "producer-metrics", "produce-throttle-time-max")).isEqualTo(300.0);
            assertThat(metric(throttled.metrics(), "producer-metrics", "produce-throttle-time-avg")).isPositive();
        }
        sent.addAll(throttledValues);
        List<String> freeValues = Records.numbered("free", 30);
        try (KafkaProducer<String, String> free = producer("free-producer", Map.of())) {
            sendAll(free, "throttled-events", freeValues);
            assertThat(metric(free.metrics(), "producer-metrics", "produce-throttle-time-max")).isZero();
        }
        sent.addAll(freeValues);

        try (KafkaConsumer<String, String> throttled = assignedConsumer("throttled-consumer", "throttled-events")) {
            Records.assertExactlyOnce(sent, Records.pollValues(throttled, sent.size(), WAIT));
            assertThat(metric(throttled.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max")).isEqualTo(300.0);
        }
        try (KafkaConsumer<String, String> free = assignedConsumer("free-consumer", "throttled-events")) {
            Records.assertExactlyOnce(sent, Records.pollValues(free, sent.size(), WAIT));
            assertThat(metric(free.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max")).isZero();
        }
    }

    @Test
    void aTopicWithoutAclsRefusesItsProducerAndConsumerWhileAnotherTopicWorks() throws Exception {
        cluster.createTopic("authz-secrets", 1, 1);
        cluster.createTopic("authz-public", 1, 1);
        List<String> published = Records.numbered("public", 10);
        try (KafkaProducer<String, String> producer = producer("authz-producer", Map.of())) {
            // Metadata for the topic is cached before the rule, so the refusal comes from the produce itself.
            producer.send(new ProducerRecord<>("authz-secrets", "before", "before")).get();
            // No resources param: a rule naming only a topic refuses that topic, and no group.
            addRule("{\"name\":\"secrets-acls-missing\",\"type\":\"authorization-failure\",\"scope\":{\"topic\":\"authz-secrets\"}}");

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("authz-secrets", "refused", "refused")).get())
                    .as("a produce to the topic in scope").hasCauseInstanceOf(TopicAuthorizationException.class);
            sendAll(producer, "authz-public", published);
        }
        try (KafkaConsumer<String, String> refused = assignedConsumer("authz-reader", "authz-secrets")) {
            assertThatThrownBy(() -> pollUntilFailure(refused)).as("a consumer of the topic in scope")
                    .isInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaProducer<String, String> newcomer = producer("authz-newcomer", Map.of())) {
            assertThatThrownBy(() -> newcomer.send(new ProducerRecord<>("authz-secrets", "refused", "refused")).get())
                    .as("a new producer, refused in metadata").hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> reader = groupConsumer("authz-public-reader", "authz-public-readers", "authz-public")) {
            Records.assertExactlyOnce(published, Records.pollValues(reader, published.size(), WAIT));
            reader.commitSync();
        }
    }

    @Test
    void aGroupWithoutAclsRefusesItsMembersWhileAnotherGroupConsumes() throws Exception {
        cluster.createTopic("authz-group-events", 1, 1);
        List<String> sent = Records.numbered("group-event", 10);
        try (KafkaProducer<String, String> producer = producer("authz-group-producer", Map.of())) {
            sendAll(producer, "authz-group-events", sent);
        }
        // No resources param: a rule naming only a group refuses that group, and no topic.
        addRule("{\"name\":\"billing-acls-missing\",\"type\":\"authorization-failure\",\"scope\":{\"group\":\"authz-billing\"}}");

        try (KafkaConsumer<String, String> refused = groupConsumer("authz-billing-member", "authz-billing", "authz-group-events")) {
            assertThatThrownBy(() -> pollUntilFailure(refused)).as("a member of the group in scope")
                    .isInstanceOf(GroupAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> member = groupConsumer("authz-audit-member", "authz-audit", "authz-group-events")) {
            Records.assertExactlyOnce(sent, Records.pollValues(member, sent.size(), WAIT));
            member.commitSync();
        }
        assertThat(gateway.chaos().get("billing-acls-missing").orElseThrow().affected()).as("group requests refused").isPositive();
    }

    private double outageCloses() {
        Counter closed = gateway.metrics().registry().find("switchboard.connections.closed").tag("cause", Outage.CLOSE_CAUSE)
                .counter();
        return closed == null ? 0 : closed.count();
    }

    private Set<String> connectionsOf(String clientId) {
        return gateway.status().clients().stream().filter(group -> group.clientId().equals(clientId))
                .flatMap(group -> group.details().stream()).map(ConnectionInfo::remoteAddress).collect(Collectors.toSet());
    }

    private Set<String> openRemotes() {
        return gateway.status().clients().stream().map(GatewayStatus.ClientGroup::details).flatMap(List::stream)
                .map(ConnectionInfo::remoteAddress).collect(Collectors.toSet());
    }

    private KafkaProducer<String, String> producer(String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Sends every value, then waits for each: a failed send fails the test. */
    private static void sendAll(KafkaProducer<String, String> producer, String topic, List<String> values) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (String value : values) {
            sends.add(producer.send(new ProducerRecord<>(topic, value, value)));
        }
        for (Future<RecordMetadata> send : sends) {
            send.get();
        }
    }

    /** Whether one send went through; a send that timed out waiting for metadata wrote nothing. */
    private static boolean sendsOnce(KafkaProducer<String, String> producer, String topic, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, value, value)).get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                return false;
            }
            throw new AssertionError("send of " + value + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Admin admin(String clientId) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        return Admin.create(props);
    }

    private static boolean answers(Admin admin) {
        try {
            return !admin.describeCluster().nodes().get().isEmpty();
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private KafkaConsumer<String, String> assignedConsumer(String clientId, String topic) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        return consumer;
    }

    private KafkaConsumer<String, String> groupConsumer(String clientId, String group, String topic) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Polls until poll throws, which it returns; fails the test if it never does. */
    private static void pollUntilFailure(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
        throw new AssertionError("poll never failed within " + WAIT);
    }

    private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().group().equals(group)) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + group + "/" + name);
    }
}
