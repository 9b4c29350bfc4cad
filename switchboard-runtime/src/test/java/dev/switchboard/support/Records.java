package dev.switchboard.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import static org.assertj.core.api.Assertions.assertThat;

/** Counting records for loss and duplication. */
public final class Records {

    private Records() {
    }

    /**
     * Sends every value (as key and value) and waits for each; returns how many sends failed. With {@code flushEvery}
     * above 0 the producer is flushed after that many, so the values travel in many produce requests.
     */
    public static int failedSends(Producer<String, String> producer, String topic, List<String> values, int flushEvery) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            sends.add(producer.send(new ProducerRecord<>(topic, values.get(i), values.get(i))));
            if (flushEvery > 0 && i % flushEvery == flushEvery - 1) {
                producer.flush();
            }
        }
        int failed = 0;
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (Exception e) {
                failed++;
            }
        }
        return failed;
    }

    /** Polls until {@code expected} records arrived or the timeout passed, then polls once more to catch duplicates. */
    public static <V> List<V> pollValues(Consumer<?, V> consumer, int expected, Duration timeout) {
        List<V> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (values.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<?, V> record : consumer.poll(Duration.ofMillis(100))) {
                values.add(record.value());
            }
        }
        for (ConsumerRecord<?, V> record : consumer.poll(Duration.ofMillis(300))) {
            values.add(record.value());
        }
        return values;
    }

    /** Asserts that {@code received} holds every one of {@code sent} exactly once. */
    public static void assertExactlyOnce(Collection<String> sent, Collection<String> received) {
        Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        List<String> lost = sent.stream().filter(v -> !counts.containsKey(v)).toList();
        Map<String, Long> duplicated = new HashMap<>();
        counts.forEach((value, count) -> {
            if (count > 1) {
                duplicated.put(value, count);
            }
        });
        List<String> unexpected = counts.keySet().stream().filter(v -> !sent.contains(v)).toList();
        assertThat(lost).as("records lost").isEmpty();
        assertThat(duplicated).as("records duplicated").isEmpty();
        assertThat(unexpected).as("records never sent").isEmpty();
        assertThat(received).hasSameSizeAs(sent);
    }

    /**
     * Reads partition 0 of {@code topic} from its beginning, read_committed, until {@code expected} values came or
     * {@code timeout} passed: what transactions left there for good.
     */
    public static List<String> committedValues(String bootstrap, String topic, int expected, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            return pollValues(consumer, expected, timeout);
        }
    }

    public static List<String> numbered(String prefix, int count) {
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(prefix + "-" + i);
        }
        return values;
    }
}
