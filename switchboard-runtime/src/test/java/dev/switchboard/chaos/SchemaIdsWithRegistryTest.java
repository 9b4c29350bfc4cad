package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.InMemorySchemaRegistry;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.apicurio.registry.rest.client.models.ProblemDetails;
import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code invalid-schema-id} felt by a real schema-aware client: Apicurio Registry's Avro serializer and
 * deserializer, in Confluent's wire format (magic byte 0, then the schema's 4-byte content id), against an
 * {@link InMemorySchemaRegistry}. Without a rule every record round-trips; with the rule on fetch the deserializer
 * of its topic fails with the registry's "no content with that id" while another topic reads fine; with the rule
 * on produce the unknown id is what the log keeps.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaIdsWithRegistryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The rule's default schemaId: an id no registry has handed out. */
    private static final int UNKNOWN_ID = Integer.MAX_VALUE;
    private static final byte MAGIC_BYTE = 0;
    private static final Schema ORDER = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Order\","
            + "\"namespace\":\"dev.switchboard.chaos\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"amount\",\"type\":\"int\"}]}");

    private EmbeddedKafkaCluster cluster;
    private InMemorySchemaRegistry registry;
    private GatewayFixture fixture;
    private Gateway gateway;

    @BeforeAll
    void startGatewayAndRegistry(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        this.registry = InMemorySchemaRegistry.start();
        this.fixture = new GatewayFixture(cluster);
        this.gateway = fixture.gateway();
    }

    @AfterAll
    void stopGatewayAndRegistry() {
        fixture.close();
        registry.close();
    }

    @AfterEach
    void removeRules() {
        gateway.chaos().reset("test");
        assertThat(gateway.chaos().list()).isEmpty();
    }

    @Test
    void withoutARuleEveryAvroRecordRoundTripsThroughTheRegistry() {
        cluster.createTopic("registry-plain", 2, 1);
        List<String> ids = Records.numbered("registry-plain", 50);

        produce("registry-plain", ids);

        Records.assertExactlyOnce(ids, consumeOrderIds("registry-plain", ids.size()));
        List<byte[]> log = logValues("registry-plain", ids.size());
        assertThat(log).hasSameSizeAs(ids);
        for (byte[] value : log) {
            assertThat(value[0]).as("magic byte").isEqualTo(MAGIC_BYTE);
            String registered = registry.schema(schemaId(value)).orElseThrow();
            assertThat(new Schema.Parser().parse(registered)).as("the schema under the id in the record").isEqualTo(ORDER);
        }
        assertThat(registry.requests()).as("what the serdes asked the registry")
                .contains("POST /apis/registry/v3/groups/default/artifacts",
                        "GET /apis/registry/v3/ids/contentIds/" + schemaId(log.get(0)));
    }

    /** What the rule makes happen, made by hand: the failure the tests with the rule expect, without a rule. */
    @Test
    void aRecordWithAnIdTheRegistryNeverGaveFailsTheDeserializerWithContentNotFound() throws Exception {
        cluster.createTopic("registry-forged", 1, 1);
        ByteBuffer forged = ByteBuffer.allocate(5 + avroBinary(order("forged")).length)
                .put(MAGIC_BYTE).putInt(UNKNOWN_ID).put(avroBinary(order("forged")));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(cluster.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("registry-forged", forged.array())).get();
        }

        assertThatThrownBy(() -> consumeOrderIds("registry-forged", 1))
                .isInstanceOfSatisfying(RecordDeserializationException.class,
                        e -> assertThat(e.origin()).isEqualTo(RecordDeserializationException.DeserializationExceptionOrigin.VALUE))
                .rootCause().isInstanceOfSatisfying(ProblemDetails.class, this::assertUnknownIdNotFound);
        assertThat(registry.requests()).contains("GET /apis/registry/v3/ids/contentIds/" + UNKNOWN_ID);
    }

    @Test
    void anInvalidSchemaIdOnFetchFailsTheDeserializerOfItsTopicAndNoOther() throws Exception {
        cluster.createTopic("registry-orders", 1, 1);
        cluster.createTopic("registry-audit", 1, 1);
        List<String> orders = Records.numbered("registry-orders", 30);
        List<String> audit = Records.numbered("registry-audit", 30);
        produce("registry-orders", orders);
        produce("registry-audit", audit);
        gateway.chaos().add(JSON.readTree("{\"name\":\"bad-ids\",\"type\":\"invalid-schema-id\","
                + "\"scope\":{\"topic\":\"registry-orders\"},\"params\":{\"target\":\"fetch\"}}"), "test");

        assertThatThrownBy(() -> consumeOrderIds("registry-orders", orders.size()))
                .isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
                    assertThat(e.origin()).isEqualTo(RecordDeserializationException.DeserializationExceptionOrigin.VALUE);
                    assertThat(e.topicPartition()).isEqualTo(new TopicPartition("registry-orders", 0));
                })
                .rootCause().isInstanceOfSatisfying(ProblemDetails.class, this::assertUnknownIdNotFound);
        assertThat(registry.requests()).contains("GET /apis/registry/v3/ids/contentIds/" + UNKNOWN_ID);
        long affected = gateway.chaos().get("bad-ids").orElseThrow().affected();
        assertThat(affected).as("fetches affected on the topic in scope").isPositive();

        Records.assertExactlyOnce(audit, consumeOrderIds("registry-audit", audit.size()));
        assertThat(gateway.chaos().get("bad-ids").orElseThrow().affected()).as("affected after another topic was read")
                .isEqualTo(affected);

        // On fetch the log itself is untouched: without the rule the same records deserialize.
        gateway.chaos().reset("test");
        Records.assertExactlyOnce(orders, consumeOrderIds("registry-orders", orders.size()));
    }

    @Test
    void anInvalidSchemaIdOnProduceIsWhatTheLogOfItsTopicKeeps() throws Exception {
        cluster.createTopic("registry-produced", 1, 1);
        cluster.createTopic("registry-produced-elsewhere", 1, 1);
        gateway.chaos().add(JSON.readTree("{\"name\":\"bad-ids-on-produce\",\"type\":\"invalid-schema-id\","
                + "\"scope\":{\"topic\":\"registry-produced\"},\"params\":{\"target\":\"produce\"}}"), "test");
        List<String> produced = Records.numbered("registry-produced", 20);
        List<String> elsewhere = Records.numbered("registry-produced-elsewhere", 20);

        produce("registry-produced", produced);
        produce("registry-produced-elsewhere", elsewhere);

        List<byte[]> log = logValues("registry-produced", produced.size());
        assertThat(log).hasSameSizeAs(produced);
        for (int i = 0; i < log.size(); i++) {
            byte[] value = log.get(i);
            assertThat(value[0]).as("magic byte").isEqualTo(MAGIC_BYTE);
            assertThat(schemaId(value)).as("schema id in the log").isEqualTo(UNKNOWN_ID);
            assertThat(Arrays.copyOfRange(value, 5, value.length)).as("the Avro payload after the id")
                    .isEqualTo(avroBinary(order(produced.get(i))));
        }
        for (byte[] value : logValues("registry-produced-elsewhere", elsewhere.size())) {
            assertThat(registry.schema(schemaId(value))).as("schema of a record produced out of scope").isPresent();
        }
        assertThatThrownBy(() -> consumeOrderIds("registry-produced", produced.size()))
                .isInstanceOf(RecordDeserializationException.class)
                .rootCause().isInstanceOfSatisfying(ProblemDetails.class, this::assertUnknownIdNotFound);
        Records.assertExactlyOnce(elsewhere, consumeOrderIds("registry-produced-elsewhere", elsewhere.size()));
    }

    private void assertUnknownIdNotFound(ProblemDetails problem) {
        assertThat(problem.getStatus()).isEqualTo(404);
        assertThat(problem.getName()).isEqualTo("ContentNotFoundException");
        assertThat(problem.getTitle()).isEqualTo("No content with ID '" + UNKNOWN_ID + "' was found.");
    }

    /**
     * Apicurio's serdes in Confluent's wire format: the 4-byte id in the record rather than in headers, the id
     * being the schema's content id, which is what a Confluent-compatible registry calls a schema id.
     */
    private Map<String, Object> serdeProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(SerdeConfig.REGISTRY_URL, registry.url());
        props.put(SerdeConfig.HTTP_ADAPTER, "JDK");
        props.put(SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName());
        props.put(SerdeConfig.USE_ID, IdOption.contentId.name());
        props.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
        return props;
    }

    private void produce(String topic, List<String> ids) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties("producer-" + topic));
        props.putAll(serdeProperties());
        props.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class);
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String id : ids) {
                sends.add(producer.send(new ProducerRecord<>(topic, id, order(id))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (Exception e) {
            throw new AssertionError("a send to " + topic + " failed", e);
        }
    }

    /** The order ids that the deserializer gives, read through the gateway from the beginning. */
    private List<String> consumeOrderIds(String topic, int expected) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties("consumer-" + topic));
        props.putAll(serdeProperties());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class);
        try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(props)) {
            seekToBeginning(consumer, topic);
            return Records.pollValues(consumer, expected, WAIT).stream().map(order -> order.get("id").toString()).toList();
        }
    }

    /** The record values as the broker keeps them, read from it directly. */
    private List<byte[]> logValues(String topic, int expected) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cluster.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            seekToBeginning(consumer, topic);
            return Records.pollValues(consumer, expected, WAIT);
        }
    }

    private static void seekToBeginning(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static GenericRecord order(String id) {
        GenericRecord order = new GenericData.Record(ORDER);
        order.put("id", id);
        order.put("amount", id.length());
        return order;
    }

    private static byte[] avroBinary(GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }
}
