package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.support.Await;
import dev.switchboard.support.Records;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Chaos rules added to a running gateway, felt by real Java clients through a real broker: partition errors an
 * idempotent producer retries without losing or duplicating a record, latency for one client id only, a rule that
 * stops after its maxHits, one that stops after its duration, and rules refused with the field at fault.
 */
class ChaosRulesWithJavaClientsTest extends GatewayWithChaosRules {

    @Test
    void anIdempotentProducerRetriesBrokenBrokerErrorsOnItsTopicAndLosesNothing() throws Exception {
        cluster.createTopic("chaos-payments", 2, 1);
        cluster.createTopic("chaos-ledger", 2, 1);
        gateway.chaos().add(rule("{\"name\":\"payments-broken\",\"type\":\"broken-broker\",\"rate\":25,\"seed\":42,"
                + "\"scope\":{\"topic\":\"chaos-payments\"},\"params\":{\"errors\":{\"produce\":\"NOT_ENOUGH_REPLICAS\"}}}"), "test");

        // Out of scope: a producer that never retries has no failed send, and the rule neither matches nor affects it.
        List<String> ledger = Records.numbered("chaos-ledger", 100);
        Sent ledgerSent = produce("chaos-ledger", ledger, Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"));
        assertThat(ledgerSent.failed()).as("failed sends to the topic out of scope").isZero();
        assertThat(ledgerSent.retries()).as("retries of the topic out of scope").isZero();
        RuleStatus afterLedger = gateway.chaos().get("payments-broken").orElseThrow();
        assertThat(afterLedger.matched()).as("requests to the topic out of scope matched").isZero();
        assertThat(afterLedger.affected()).isZero();
        Records.assertExactlyOnce(ledger, consume("chaos-ledger", ledger.size()));

        List<String> payments = Records.numbered("chaos-payments", 300);
        Sent paymentsSent = produce("chaos-payments", payments, Map.of());

        assertThat(paymentsSent.failed()).as("failed sends").isZero();
        assertThat(paymentsSent.retries()).as("producer record-retry-total").isPositive();
        RuleStatus status = gateway.chaos().get("payments-broken").orElseThrow();
        assertThat(status.matched()).isPositive();
        assertThat(status.affected()).isPositive().isLessThan(status.matched());
        Records.assertExactlyOnce(payments, consume("chaos-payments", payments.size()));
    }

    @Test
    void aLeaderElectionIsRetriedByProducerAndConsumerOfItsTopicWithNothingLostWhileAnotherTopicIsUntouched() throws Exception {
        cluster.createTopic("chaos-election", 2, 1);
        cluster.createTopic("chaos-election-other", 1, 1);
        gateway.chaos().add(rule("{\"name\":\"election\",\"type\":\"leader-election\",\"rate\":30,\"seed\":7,"
                + "\"scope\":{\"topic\":\"chaos-election\"}}"), "test");

        List<String> other = Records.numbered("chaos-election-other", 50);
        Sent otherSent = produce("chaos-election-other", other, Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"));
        assertThat(otherSent.failed()).as("failed sends to the topic out of scope").isZero();
        long matchedBefore = gateway.chaos().get("election").orElseThrow().matched();

        List<String> sent = Records.numbered("chaos-election", 200);
        Sent electionSent = produce("chaos-election", sent, Map.of());
        assertThat(electionSent.failed()).as("failed sends").isZero();
        assertThat(electionSent.retries()).as("producer record-retry-total").isPositive();
        long affectedAfterProduce = gateway.chaos().get("election").orElseThrow().affected();
        assertThat(affectedAfterProduce).isPositive();
        assertThat(gateway.chaos().get("election").orElseThrow().matched()).isGreaterThan(matchedBefore);

        // The consumer reads through the same election: its fetches and metadata fail at 30% too.
        Records.assertExactlyOnce(sent, consume("chaos-election", sent.size()));
        assertThat(gateway.chaos().get("election").orElseThrow().affected()).as("affected once the consumer read")
                .isGreaterThan(affectedAfterProduce);
        Records.assertExactlyOnce(other, consume("chaos-election-other", other.size()));
    }

    @Test
    void aSlowBrokerDelaysOneClientsProducesByAtLeastItsMinimumAndASlowTopicOnlyThatTopic() throws Exception {
        cluster.createTopic("chaos-slow", 1, 1);
        cluster.createTopic("chaos-slow-topic", 1, 1);
        cluster.createTopic("chaos-quick-topic", 1, 1);
        gateway.chaos().add(rule("{\"name\":\"slow-client\",\"type\":\"slow-broker\",\"scope\":{\"clientId\":\"slow-broker-app\"},"
                + "\"params\":{\"min\":\"200ms\",\"max\":\"400ms\"}}"), "test");
        gateway.chaos().add(rule("{\"name\":\"slow-topic\",\"type\":\"slow-producers-consumers\","
                + "\"scope\":{\"topic\":\"chaos-slow-topic\"},\"params\":{\"min\":\"250ms\",\"max\":\"300ms\"}}"), "test");

        List<String> slow = Records.numbered("chaos-slow", 4);
        assertThat(fastestSyncSend("slow-broker-app", "chaos-slow", slow)).as("fastest send by the slow client, ms")
                .isGreaterThanOrEqualTo(200);
        long slowClientMatched = gateway.chaos().get("slow-client").orElseThrow().matched();
        assertThat(gateway.chaos().get("slow-client").orElseThrow().affected()).isGreaterThanOrEqualTo(slow.size());

        List<String> slowTopic = Records.numbered("chaos-slow-topic", 4);
        assertThat(fastestSyncSend("topic-app", "chaos-slow-topic", slowTopic)).as("fastest send to the slow topic, ms")
                .isGreaterThanOrEqualTo(250);
        long slowTopicMatched = gateway.chaos().get("slow-topic").orElseThrow().matched();
        List<String> quick = Records.numbered("chaos-quick-topic", 4);
        fastestSyncSend("topic-app", "chaos-quick-topic", quick);
        assertThat(gateway.chaos().get("slow-topic").orElseThrow().matched()).as("slow-topic matches after sends to another topic")
                .isEqualTo(slowTopicMatched);
        assertThat(gateway.chaos().get("slow-client").orElseThrow().matched()).as("slow-client matches after another client sent")
                .isEqualTo(slowClientMatched);

        Records.assertExactlyOnce(slow, consume("chaos-slow", slow.size()));
        Records.assertExactlyOnce(slowTopic, consume("chaos-slow-topic", slowTopic.size()));
        Records.assertExactlyOnce(quick, consume("chaos-quick-topic", quick.size()));
    }

    /** Sends each value synchronously after one warm-up send to the same topic; the fastest of them, in ms. */
    private long fastestSyncSend(String clientId, String topic, List<String> values) throws Exception {
        long fastest = Long.MAX_VALUE;
        try (KafkaProducer<String, String> producer = producer(clientId, Map.of())) {
            producer.partitionsFor(topic);
            for (String value : values) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value, value)).get();
                fastest = Math.min(fastest, Duration.ofNanos(System.nanoTime() - start).toMillis());
            }
        }
        return fastest;
    }

    @Test
    void latencyForOneClientIdDelaysItsProducesAndNotAnotherClients() throws Exception {
        cluster.createTopic("chaos-latency", 1, 1);
        gateway.chaos().add(rule("{\"name\":\"slow-app-latency\",\"type\":\"latency\",\"scope\":{\"clientId\":\"slow-app\"},"
                + "\"params\":{\"delay\":\"300ms\",\"apis\":[\"Produce\"]}}"), "test");

        List<String> sent = new ArrayList<>();
        long slowest;
        long fastestSlow = Long.MAX_VALUE;
        try (KafkaProducer<String, String> producer = producer("slow-app", Map.of())) {
            producer.send(new ProducerRecord<>("chaos-latency", "slow-warmup", "slow-warmup")).get();
            sent.add("slow-warmup");
            for (int i = 0; i < 5; i++) {
                String value = "slow-" + i;
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>("chaos-latency", value, value)).get();
                fastestSlow = Math.min(fastestSlow, Duration.ofNanos(System.nanoTime() - start).toMillis());
                sent.add(value);
            }
        }
        assertThat(fastestSlow).as("fastest of 5 synchronous sends by slow-app, ms").isGreaterThanOrEqualTo(300);
        RuleStatus afterSlow = gateway.chaos().get("slow-app-latency").orElseThrow();
        assertThat(afterSlow.affected()).isGreaterThanOrEqualTo(6);

        try (KafkaProducer<String, String> producer = producer("fast-app", Map.of())) {
            for (int i = 0; i < 5; i++) {
                String value = "fast-" + i;
                producer.send(new ProducerRecord<>("chaos-latency", value, value)).get();
                sent.add(value);
            }
        }
        RuleStatus afterFast = gateway.chaos().get("slow-app-latency").orElseThrow();
        assertThat(afterFast.matched()).as("matched after another client produced").isEqualTo(afterSlow.matched());
        assertThat(afterFast.affected()).isEqualTo(afterSlow.affected());
        Records.assertExactlyOnce(sent, consume("chaos-latency", sent.size()));
    }

    @Test
    void aRuleWithMaxHitsAffectsExactlyThatManyRequestsThenRemovesItself() throws Exception {
        cluster.createTopic("chaos-limited", 1, 1);
        gateway.chaos().add(rule("{\"name\":\"limited-broken\",\"type\":\"broken-broker\",\"maxHits\":3,"
                + "\"scope\":{\"topic\":\"chaos-limited\"},\"params\":{\"errors\":{\"produce\":\"NOT_ENOUGH_REPLICAS\"}}}"), "test");

        // One partition and synchronous sends: each produce request carries one record, so each affected request
        // is exactly one record retried.
        List<String> sent = Records.numbered("chaos-limited", 20);
        int failed = 0;
        long maxAffectedSeen = 0;
        double retries;
        try (KafkaProducer<String, String> producer = producer("producer-limited", Map.of())) {
            for (String value : sent) {
                try {
                    producer.send(new ProducerRecord<>("chaos-limited", value, value)).get();
                } catch (Exception e) {
                    failed++;
                }
                maxAffectedSeen = Math.max(maxAffectedSeen,
                        gateway.chaos().get("limited-broken").map(RuleStatus::affected).orElse(0L));
            }
            retries = metric(producer, "record-retry-total");
        }

        assertThat(failed).as("failed sends").isZero();
        assertThat(retries).as("records retried, one per affected request").isEqualTo(3.0);
        assertThat(maxAffectedSeen).as("affected, as the rule showed it while it lasted").isLessThanOrEqualTo(3);
        Await.until(() -> gateway.chaos().list().stream().noneMatch(r -> r.name().equals("limited-broken")),
                Duration.ofSeconds(10), "the rule to remove itself after its maxHits");
        Records.assertExactlyOnce(sent, consume("chaos-limited", sent.size()));
    }

    @Test
    void aRuleWithADurationRemovesItselfWhenItIsOver() throws Exception {
        gateway.chaos().add(rule("{\"name\":\"short-lived\",\"type\":\"latency\",\"duration\":\"3s\","
                + "\"params\":{\"delay\":\"10ms\"}}"), "test");
        assertThat(gateway.chaos().list()).extracting(RuleStatus::name).contains("short-lived");
        assertThat(gateway.chaos().get("short-lived").orElseThrow().duration()).isEqualTo("3s");

        long start = System.nanoTime();
        Await.until(() -> gateway.chaos().list().stream().noneMatch(r -> r.name().equals("short-lived")),
                Duration.ofSeconds(15), "the rule to remove itself after 3s");
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).as("ms until removed").isGreaterThanOrEqualTo(2500);
        assertThat(gateway.chaos().get("short-lived")).isEmpty();
    }

    @Test
    void invalidRulesAreRefusedNamingTheField() throws Exception {
        assertInvalid("{\"name\":\"bad-type\",\"type\":\"no-such-type\"}", "type");
        assertInvalid("{\"name\":\"bad-rate\",\"type\":\"latency\",\"rate\":150}", "rate");
        assertInvalid("{\"name\":\"bad-regex\",\"type\":\"broken-broker\",\"scope\":{\"topic\":\"(\"}}", "scope.topic");
        assertInvalid("{\"name\":\"bad-code\",\"type\":\"broken-broker\",\"scope\":{\"topic\":\"x\"},"
                + "\"params\":{\"errors\":{\"produce\":\"FETCH_SESSION_ID_NOT_FOUND\"}}}", "params.errors.produce");
        assertInvalid("{\"name\":\"bad-duration\",\"type\":\"latency\",\"duration\":\"-5s\"}", "duration");
        assertThatThrownBy(() -> gateway.chaos().add(rule("{\"name\":\"bad-param\",\"type\":\"latency\","
                + "\"params\":{\"delai\":\"1s\"}}"), "test"))
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).startsWith("params."));
        assertThat(gateway.chaos().list()).as("rules after only invalid ones").isEmpty();

        gateway.chaos().add(rule("{\"name\":\"twice\",\"type\":\"latency\",\"params\":{\"delay\":\"1ms\"}}"), "test");
        assertInvalid("{\"name\":\"twice\",\"type\":\"latency\",\"params\":{\"delay\":\"2ms\"}}", "name");
        assertThat(gateway.chaos().list()).extracting(RuleStatus::name).containsExactly("twice");
        assertThat(gateway.chaos().remove("twice", "test")).isTrue();
        assertThat(gateway.chaos().remove("twice", "test")).isFalse();
    }

    private void assertInvalid(String json, String field) throws Exception {
        JsonNode definition = rule(json);
        assertThatThrownBy(() -> gateway.chaos().add(definition, "test")).as(json)
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
    }

    private record Sent(int failed, double retries) {
    }

    private KafkaProducer<String, String> producer(String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.putAll(overrides);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /**
     * Sends every value, ten at a time with a flush between, so there are many produce requests; returns how many
     * sends failed and the producer's record-retry-total.
     */
    private Sent produce(String topic, List<String> values, Map<String, Object> overrides) {
        try (KafkaProducer<String, String> producer = producer("producer-" + topic, overrides)) {
            int failed = Records.failedSends(producer, topic, values, 10);
            return new Sent(failed, metric(producer, "record-retry-total"));
        }
    }

    private static double metric(KafkaProducer<String, String> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (metric.getKey().name().equals(name) && metric.getKey().group().equals("producer-metrics")) {
                return ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("the producer has no metric " + name);
    }

    private List<String> consume(String topic, int expected) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties("consumer-" + topic));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return Records.pollValues(consumer, expected, WAIT);
        }
    }
}
