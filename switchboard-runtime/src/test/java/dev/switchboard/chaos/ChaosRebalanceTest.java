package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchboard.support.Await;
import dev.switchboard.support.GroupMember;
import dev.switchboard.support.Records;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code rebalance} felt by Java consumers through a real broker: a classic group in scope moves through generations
 * and a consumer-protocol (KIP-848) group is fenced and rejoins, both still reading every record; a group out of scope
 * stays in its first generation.
 */
class ChaosRebalanceTest extends GatewayWithChaosRules {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Heartbeats often enough that a rule at a modest rate is felt within seconds. */
    private static final Map<String, Object> QUICK_HEARTBEATS = Map.of(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);

    @Test
    void aClassicGroupInScopeMovesThroughGenerationsAndReadsEveryRecordWhileAnotherGroupStaysInItsFirst() throws Exception {
        cluster.createTopic("rebalance-busy", 2, 1);
        cluster.createTopic("rebalance-calm", 2, 1);
        addRule("{\"name\":\"busy-rebalances\",\"type\":\"rebalance\",\"rate\":40,\"seed\":3,"
                + "\"scope\":{\"group\":\"rebalance-busy-readers\"}}");
        List<String> busy = Records.numbered("rebalance-busy", 200);
        List<String> calm = Records.numbered("rebalance-calm", 200);

        try (GroupMember busyMember = new GroupMember("rebalance-busy-1", "rebalance-busy-readers", "rebalance-busy",
                fixture.clientProperties("rebalance-busy-1"), QUICK_HEARTBEATS);
             GroupMember calmMember = new GroupMember("rebalance-calm-1", "rebalance-calm-readers", "rebalance-calm",
                     fixture.clientProperties("rebalance-calm-1"), QUICK_HEARTBEATS)) {
            produceSlowly("rebalance-busy", busy);
            produce("rebalance-calm", calm);
            Await.until(() -> readAll(busyMember, busy) && readAll(calmMember, calm) && busyMember.generation() >= 3, WAIT,
                    "both groups to read every record and the busy one to reach generation 3");

            assertAtLeastOnce(busy, busyMember);
            assertAtLeastOnce(calm, calmMember);
            assertThat(calmMember.generation()).as("generation of the group out of scope").isEqualTo(1);
            assertThat(calmMember.assignments()).as("assignments of the group out of scope").isEqualTo(1);
            assertThat(busyMember.assignments()).as("assignments of the group in scope").isGreaterThanOrEqualTo(3);
        }
        RuleStatus status = gateway.chaos().get("busy-rebalances").orElseThrow();
        assertThat(status.affected()).as("heartbeats and commits answered REBALANCE_IN_PROGRESS").isPositive();
    }

    @Test
    void aConsumerProtocolGroupIsFencedAndRejoinsWithoutLosingARecord() throws Exception {
        cluster.createTopic("rebalance-kip848", 2, 1);
        addRule("{\"name\":\"kip848-fenced\",\"type\":\"rebalance\",\"maxHits\":3,"
                + "\"scope\":{\"group\":\"rebalance-kip848-readers\"}}");
        List<String> values = Records.numbered("rebalance-kip848", 200);

        try (GroupMember member = new GroupMember("rebalance-kip848-1", "rebalance-kip848-readers", "rebalance-kip848",
                fixture.clientProperties("rebalance-kip848-1"), Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
            produceSlowly("rebalance-kip848", values);
            Await.until(() -> gateway.chaos().get("kip848-fenced").isEmpty(), WAIT,
                    "the rule to fence the member three times and remove itself");
            Await.until(() -> readAll(member, values), WAIT, "the member to read every record");

            assertAtLeastOnce(values, member);
            assertThat(member.assignments()).as("assignments: the first, then one after each fencing").isGreaterThanOrEqualTo(4);
            assertThat(member.generation()).as("member epoch").isPositive();
        }
    }

    /** Every record sent was read, none read that was not sent; a record read twice is at-least-once. */
    private static void assertAtLeastOnce(List<String> sent, GroupMember member) {
        Set<String> read = new HashSet<>();
        member.consumed().forEach(consumed -> read.add(consumed.value()));
        assertThat(read).as("records read by " + member.clientId()).containsExactlyInAnyOrderElementsOf(sent);
    }

    private static boolean readAll(GroupMember member, List<String> sent) {
        Set<String> read = new HashSet<>();
        member.consumed().forEach(consumed -> read.add(consumed.value()));
        return read.containsAll(sent);
    }

    private void produce(String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value, value));
            }
        }
    }

    /** Ten records at a time over about two seconds, so the group reads while it rebalances. */
    private void produceSlowly(String topic, List<String> values) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, values.get(i), values.get(i)));
                if (i % 10 == 9) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
        }
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
