package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code duplicates} felt by real clients through a real broker, every record counted: consumers of the topic in scope
 * receive each record twice, in order, while the log read straight from the broker holds it once; a non-idempotent
 * producer's records are written twice, an idempotent producer's once and without error; other topics are untouched.
 */
class DuplicatesWithJavaClientsTest extends GatewayWithChaosRules {

    @Test
    void aConsumerOfTheTopicInScopeReceivesEveryRecordTwiceInOrderWhileTheLogHoldsItOnce() throws Exception {
        cluster.createTopic("dups-orders", 2, 1);
        cluster.createTopic("dups-audit", 2, 1);
        List<String> orders = Records.numbered("dups-orders", 400);
        List<String> audit = Records.numbered("dups-audit", 200);
        produce(cluster.clientProperties(), "dups-orders", orders, Map.of());
        produce(cluster.clientProperties(), "dups-audit", audit, Map.of());
        addRule("{\"name\":\"orders-twice\",\"type\":\"duplicates\",\"scope\":{\"topic\":\"dups-orders\"}}");

        // Small fetches, so the 400 records come in many ranges, each rewound once.
        List<ConsumerRecord<String, String>> received = consume(fixture.clientProperties("dups-orders-reader"), "dups-orders",
                2 * orders.size(), Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2048, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100));

        assertEach(orders, values(received), 2);
        assertTwiceInOrder(received);
        RuleStatus status = gateway.chaos().get("orders-twice").orElseThrow();
        assertThat(status.affected()).as("fetch responses repeated").isGreaterThan(2);
        Records.assertExactlyOnce(orders, values(consume(cluster.clientProperties(), "dups-orders", orders.size(), Map.of())));

        List<ConsumerRecord<String, String>> other = consume(fixture.clientProperties("dups-audit-reader"), "dups-audit",
                audit.size(), Map.of());
        Records.assertExactlyOnce(audit, values(other));
        assertThat(gateway.chaos().get("orders-twice").orElseThrow().matched()).as("matched after the topic out of scope")
                .isEqualTo(status.matched());
    }

    @Test
    void aConsumerWithoutAResetPolicyIsToldItsOffsetIsOutOfRange() throws Exception {
        cluster.createTopic("dups-strict", 1, 1);
        produce(cluster.clientProperties(), "dups-strict", Records.numbered("dups-strict", 20), Map.of());
        addRule("{\"name\":\"strict-twice\",\"type\":\"duplicates\",\"scope\":{\"topic\":\"dups-strict\"}}");

        Map<String, Object> props = new HashMap<>(fixture.clientProperties("dups-strict-reader"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("dups-strict", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> before = new ArrayList<>();
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100)).forEach(record -> before.add(record.value()));
                }
            }).isInstanceOf(OffsetOutOfRangeException.class);
            assertThat(before).as("records before the error").isNotEmpty().doesNotHaveDuplicates();
        }
    }

    @Test
    void kcatReceivesEveryRecordOfTheTopicInScopeTwice() throws Exception {
        Kcat.assumeInstalled();
        cluster.createTopic("dups-kcat", 2, 1);
        List<String> sent = Records.numbered("dups-kcat", 300);
        produce(cluster.clientProperties(), "dups-kcat", sent, Map.of());
        addRule("{\"name\":\"kcat-twice\",\"type\":\"duplicates\",\"scope\":{\"topic\":\"dups-kcat\"}}");

        String consumed = kcat("-C", "-t", "dups-kcat", "-o", "beginning", "-e", "-q", "-f", "%s\\n",
                "-X", "message.max.bytes=4096", "-X", "fetch.max.bytes=4096", "-X", "max.partition.fetch.bytes=2048");

        assertEach(sent, consumed.lines().filter(line -> !line.isEmpty()).toList(), 2);
        assertThat(gateway.chaos().get("kcat-twice").orElseThrow().affected()).as("fetch responses repeated").isGreaterThan(2);
    }

    @Test
    void aPlainProducersRecordsAreWrittenTwiceAndAnIdempotentProducersOnce() throws Exception {
        cluster.createTopic("dups-written-plain", 2, 1);
        cluster.createTopic("dups-written-idempotent", 2, 1);
        cluster.createTopic("dups-unwritten", 2, 1);
        addRule("{\"name\":\"written-twice\",\"type\":\"duplicates\",\"scope\":{\"topic\":\"dups-written-.*\"},"
                + "\"params\":{\"target\":\"produce\"}}");
        Map<String, Object> plain = Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1");

        List<String> doubled = Records.numbered("dups-written-plain", 200);
        assertThat(produce(fixture.clientProperties("dups-plain"), "dups-written-plain", doubled, plain)).as("failed sends").isZero();
        long affected = gateway.chaos().get("written-twice").orElseThrow().affected();
        assertThat(affected).as("produce requests doubled").isPositive();
        assertEach(doubled, values(consume(cluster.clientProperties(), "dups-written-plain", 2 * doubled.size(), Map.of())), 2);

        List<String> idempotent = Records.numbered("dups-written-idempotent", 200);
        assertThat(produce(fixture.clientProperties("dups-idempotent"), "dups-written-idempotent", idempotent, Map.of()))
                .as("failed idempotent sends").isZero();
        Records.assertExactlyOnce(idempotent,
                values(consume(cluster.clientProperties(), "dups-written-idempotent", idempotent.size(), Map.of())));

        List<String> other = Records.numbered("dups-unwritten", 200);
        assertThat(produce(fixture.clientProperties("dups-other"), "dups-unwritten", other, plain)).isZero();
        Records.assertExactlyOnce(other, values(consume(cluster.clientProperties(), "dups-unwritten", other.size(), Map.of())));
        assertThat(gateway.chaos().get("written-twice").orElseThrow().affected())
                .as("affected after the idempotent producer and the topic out of scope").isEqualTo(affected);
    }

    /** Sends every value, ten at a time with a flush between; returns how many sends failed. */
    private static int produce(Map<String, Object> client, String topic, List<String> values, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            return Records.failedSends(producer, topic, values, 10);
        }
    }

    /** Every partition of {@code topic} from its beginning, until {@code expected} records came, then a last poll for more. */
    private static List<ConsumerRecord<String, String>> consume(Map<String, Object> client, String topic, int expected,
                                                               Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(overrides);
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
            }
        }
        return received;
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    /** Every one of {@code sent} is in {@code received} exactly {@code times} times, and nothing else is. */
    private static void assertEach(List<String> sent, List<String> received, long times) {
        Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
                Collectors.counting()));
        Map<String, Long> wrong = new TreeMap<>();
        for (String value : sent) {
            long count = counts.getOrDefault(value, 0L);
            if (count != times) {
                wrong.put(value, count);
            }
        }
        assertThat(wrong).as("records not received exactly %d times (value: times received)", times).isEmpty();
        assertThat(counts.keySet()).as("records never sent").isSubsetOf(sent);
        assertThat(received).hasSize(sent.size() * (int) times);
    }

    /**
     * In each partition, the first copies of the records come in offset order, and so do the second copies: every
     * repeat is a re-read of what came just before, never a jump back further.
     */
    private static void assertTwiceInOrder(List<ConsumerRecord<String, String>> received) {
        Map<Integer, List<Long>> first = new HashMap<>();
        Map<Integer, List<Long>> second = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> record : received) {
            int copy = seen.merge(record.topic() + "/" + record.partition() + "/" + record.offset(), 1, Integer::sum);
            (copy == 1 ? first : second).computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
        }
        assertThat(first.keySet()).as("partitions read").hasSize(2);
        for (Map.Entry<Integer, List<Long>> partition : first.entrySet()) {
            assertThat(partition.getValue()).as("first copies in partition %d", partition.getKey()).isSorted();
            assertThat(second.get(partition.getKey())).as("second copies in partition %d", partition.getKey())
                    .isSorted().hasSameSizeAs(partition.getValue());
        }
    }

    private String kcat(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", fixture.bootstrap()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        assertThat(process.exitValue()).as("kcat %s failed: %s", command, err).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
