package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code corruption} and {@code invalid-schema-id} felt by real Java clients through a real broker. Records are keyed
 * by what they were sent with, and keys are never changed, so each record received is matched to the one sent: none
 * lost, none twice, its value changed exactly as the rule says on its topic and not at all on another topic, and the
 * log changed only when the rule targets produce.
 */
class RecordFaultsWithJavaClientsTest extends GatewayWithChaosRules {

    private static final int SCHEMA_ID = 7;

    @Test
    void corruptionOnFetchAltersWhatTheConsumerReadsAndNotTheLogNorAnotherTopic() throws Exception {
        Map<String, byte[]> sent = produceThroughGateway(topic("corrupt-fetch", 2), values("corrupt-fetch", 200));
        Map<String, byte[]> other = produceThroughGateway(topic("corrupt-fetch-other", 1), values("corrupt-fetch-other", 50));
        addRule("{\"name\":\"corrupt-fetch\",\"type\":\"corruption\",\"seed\":11,\"scope\":{\"topic\":\"corrupt-fetch\"},"
                + "\"params\":{\"bytes\":2}}");

        // Small fetches, so that broker responses end in a batch cut short, which the gateway must pass on intact.
        Map<String, byte[]> read = consume("corrupt-fetch", sent.size(), fixture.clientProperties("consumer-corrupt-fetch"),
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024));

        assertChanged(sent, read, 2);
        assertThat(gateway.chaos().get("corrupt-fetch").orElseThrow().affected()).isPositive();
        assertThat(readLog("corrupt-fetch", sent.size())).as("the log").containsExactlyInAnyOrderEntriesOf(sent);
        assertThat(readThroughGateway("corrupt-fetch-other", other.size())).as("another topic through the gateway")
                .containsExactlyInAnyOrderEntriesOf(other);
    }

    @Test
    void corruptionWithAnInvalidChecksumFailsTheConsumersPollOnItsTopicOnly() throws Exception {
        produceThroughGateway(topic("corrupt-crc", 1), values("corrupt-crc", 20));
        Map<String, byte[]> other = produceThroughGateway(topic("corrupt-crc-other", 1), values("corrupt-crc-other", 20));
        addRule("{\"name\":\"corrupt-crc\",\"type\":\"corruption\",\"scope\":{\"topic\":\"corrupt-crc\"},"
                + "\"params\":{\"checksum\":\"invalid\"}}");

        KafkaException failure = pollUntilFailure("corrupt-crc", fixture.clientProperties("consumer-corrupt-crc"));

        // Kafka 4.3's consumer wraps CorruptRecordException's message, not the exception, in a KafkaException, and
        // that in another when the batch is the first it reads.
        List<String> messages = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.add(cause.getMessage());
        }
        assertThat(messages).as("the poll's failure and its causes")
                .anyMatch(message -> message.matches("Record batch for partition corrupt-crc-0 at offset \\d+ is invalid, "
                        + "cause: Record is corrupt \\(stored crc = \\d+, computed crc = \\d+\\)"));
        assertThat(readThroughGateway("corrupt-crc-other", other.size())).as("another topic through the gateway")
                .containsExactlyInAnyOrderEntriesOf(other);
    }

    @Test
    void corruptionOnProduceAltersTheLogOfItsTopicOnly() throws Exception {
        addRule("{\"name\":\"corrupt-produce\",\"type\":\"corruption\",\"scope\":{\"topic\":\"corrupt-produce\"},"
                + "\"params\":{\"target\":\"produce\"}}");

        Map<String, byte[]> sent = produceThroughGateway(topic("corrupt-produce", 2), values("corrupt-produce", 200));
        Map<String, byte[]> other = produceThroughGateway(topic("corrupt-produce-other", 1), values("corrupt-produce-other", 50));

        assertThat(gateway.chaos().get("corrupt-produce").orElseThrow().affected()).isPositive();
        assertChanged(sent, readLog("corrupt-produce", sent.size()), 1);
        assertThat(readLog("corrupt-produce-other", other.size())).as("another topic's log").containsExactlyInAnyOrderEntriesOf(other);
    }

    @Test
    void invalidSchemaIdOnFetchGivesFramedValuesTheRulesIdAndLeavesTheLogAndUnframedValues() throws Exception {
        Map<String, byte[]> sent = produceThroughGateway(topic("schema-fetch", 1), framedAndNot("schema-fetch", 60));
        Map<String, byte[]> other = produceThroughGateway(topic("schema-fetch-other", 1), framedAndNot("schema-fetch-other", 20));
        addRule("{\"name\":\"schema-fetch\",\"type\":\"invalid-schema-id\",\"scope\":{\"topic\":\"schema-fetch\"},"
                + "\"params\":{\"schemaId\":4242}}");

        Map<String, byte[]> read = readThroughGateway("schema-fetch", sent.size());

        assertThat(read).containsExactlyInAnyOrderEntriesOf(withSchemaId(sent, 4242));
        assertThat(readLog("schema-fetch", sent.size())).as("the log").containsExactlyInAnyOrderEntriesOf(sent);
        assertThat(readThroughGateway("schema-fetch-other", other.size())).as("another topic through the gateway")
                .containsExactlyInAnyOrderEntriesOf(other);
    }

    @Test
    void invalidSchemaIdOnProduceWritesTheDefaultIdIntoTheLogOfItsTopicOnly() throws Exception {
        addRule("{\"name\":\"schema-produce\",\"type\":\"invalid-schema-id\",\"scope\":{\"topic\":\"schema-produce\"},"
                + "\"params\":{\"target\":\"produce\"}}");

        Map<String, byte[]> sent = produceThroughGateway(topic("schema-produce", 1), framedAndNot("schema-produce", 60));
        Map<String, byte[]> other = produceThroughGateway(topic("schema-produce-other", 1), framedAndNot("schema-produce-other", 20));

        assertThat(readLog("schema-produce", sent.size())).containsExactlyInAnyOrderEntriesOf(withSchemaId(sent, Integer.MAX_VALUE));
        assertThat(readLog("schema-produce-other", other.size())).as("another topic's log").containsExactlyInAnyOrderEntriesOf(other);
    }

    private String topic(String name, int partitions) {
        cluster.createTopic(name, partitions, 1);
        return name;
    }

    /** Every record read once, with the key it was sent with and a value of the same length, {@code bytes} of it changed. */
    private static void assertChanged(Map<String, byte[]> sent, Map<String, byte[]> read, int bytes) {
        assertThat(read.keySet()).as("keys read").containsExactlyInAnyOrderElementsOf(sent.keySet());
        Set<String> wrong = new TreeSet<>();
        sent.forEach((key, value) -> {
            byte[] now = read.get(key);
            int differences = 0;
            for (int i = 0; i < value.length && now.length == value.length; i++) {
                differences += value[i] == now[i] ? 0 : 1;
            }
            if (now.length != value.length || differences != bytes) {
                wrong.add(key + ": " + differences + " bytes of " + value.length + " changed, now " + now.length + " long");
            }
        });
        assertThat(wrong).as("values not changed in exactly " + bytes + " bytes").isEmpty();
    }

    /** Values as a string serializer gives them, by key. */
    private static Map<String, byte[]> values(String topic, int count) {
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            values.put(topic + "-" + i, ("value of " + topic + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Even records framed for a schema registry with schema id 7, odd ones plain text (first byte not zero). */
    private static Map<String, byte[]> framedAndNot(String topic, int count) {
        Map<String, byte[]> values = values(topic, count);
        int i = 0;
        for (Map.Entry<String, byte[]> entry : values.entrySet()) {
            if (i++ % 2 == 0) {
                entry.setValue(ByteBuffer.allocate(5 + entry.getValue().length).put((byte) 0).putInt(SCHEMA_ID)
                        .put(entry.getValue()).array());
            }
        }
        return values;
    }

    private static Map<String, byte[]> withSchemaId(Map<String, byte[]> values, int schemaId) {
        Map<String, byte[]> expected = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            byte[] copy = value.clone();
            if (copy[0] == 0) {
                ByteBuffer.wrap(copy).putInt(1, schemaId);
            }
            expected.put(key, copy);
        });
        return expected;
    }

    /** Sends {@code values} to {@code topic} through the gateway and returns them. */
    private Map<String, byte[]> produceThroughGateway(String topic, Map<String, byte[]> values) throws Exception {
        produce(topic, values, fixture.clientProperties("producer-" + topic));
        return values;
    }

    private Map<String, byte[]> readThroughGateway(String topic, int expected) {
        return consume(topic, expected, fixture.clientProperties("consumer-" + topic), Map.of());
    }

    /** What the broker holds, read from it directly. */
    private Map<String, byte[]> readLog(String topic, int expected) {
        return consume(topic, expected, cluster.clientProperties(), Map.of());
    }

    /** Sends every value with its key, ten at a time, so there are many produce requests and many batches. */
    private static void produce(String topic, Map<String, byte[]> values, Map<String, Object> client) throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Map.Entry<String, byte[]> entry : values.entrySet()) {
                producer.send(new ProducerRecord<>(topic, entry.getKey(), entry.getValue()));
                if (++i % 10 == 0) {
                    producer.flush();
                }
            }
            producer.flush();
        }
    }

    /**
     * Reads every partition of {@code topic} from its beginning until {@code expected} records came, then once more to
     * catch duplicates. Values by key; a key read twice, or an offset read twice, fails.
     */
    private static Map<String, byte[]> consume(String topic, int expected, Map<String, Object> client, Map<String, Object> overrides) {
        Map<String, byte[]> values = new HashMap<>();
        Set<String> offsets = new TreeSet<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(topic, client, overrides)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean last = false;
            while (!last) {
                last = values.size() >= expected || System.nanoTime() > deadline;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(last ? 300 : 100))) {
                    assertThat(offsets.add(record.partition() + "@" + record.offset())).as("offset read twice: " + record).isTrue();
                    assertThat(values.put(record.key(), record.value())).as("key read twice: " + record.key()).isNull();
                }
            }
        }
        assertThat(values).as("records read from " + topic).hasSize(expected);
        return values;
    }

    private static KafkaException pollUntilFailure(String topic, Map<String, Object> client) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(topic, client, Map.of())) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    assertThat(consumer.poll(Duration.ofMillis(100))).as("records polled despite their broken checksums").isEmpty();
                } catch (KafkaException e) {
                    return e;
                }
            }
        }
        throw new AssertionError("the consumer of " + topic + " polled for " + WAIT + " without a failure");
    }

    private static KafkaConsumer<String, byte[]> consumer(String topic, Map<String, Object> client, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(overrides);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
