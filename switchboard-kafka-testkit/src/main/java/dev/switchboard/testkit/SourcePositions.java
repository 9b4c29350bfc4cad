package dev.switchboard.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.storage.ConverterType;

/**
 * Where MirrorMaker 2's source connector resumes copying each partition, written into its Connect worker's
 * offsets topic before the flow starts. The records have the form the worker itself writes: a JSON key naming
 * the connector and the source partition, and a JSON value with the last offset copied.
 */
final class SourcePositions {

    private SourcePositions() {
    }

    /** {@code nextOffsets}: per source partition, the first offset to copy. */
    static void write(String sourceAlias, EmbeddedKafkaCluster target, int replicationFactor, Map<TopicPartition, Long> nextOffsets) {
        // The name MirrorMaker 2's dedicated mode gives its worker's offsets topic on the target.
        String topic = "mm2-offsets." + sourceAlias + ".internal";
        createCompacted(target, topic, replicationFactor);
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.TYPE_CONFIG, ConverterType.KEY.getName()));
        String connector = MirrorSourceConnector.class.getSimpleName();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.plaintextBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sends = new ArrayList<>();
            nextOffsets.forEach((partition, next) -> {
                if (next <= 0) {
                    return; // nothing before it to skip: the flow starts at the beginning anyway
                }
                // Key fields as MirrorMaker 2 builds them, in a HashMap too: the worker finds offsets by the key's bytes.
                Map<String, Object> sourcePartition = new HashMap<>();
                sourcePartition.put("topic", partition.topic());
                sourcePartition.put("partition", partition.partition());
                sourcePartition.put("cluster", sourceAlias);
                byte[] key = converter.fromConnectData(topic, null, List.of(connector, sourcePartition));
                byte[] value = converter.fromConnectData(topic, null, Map.of("offset", next - 1));
                sends.add(producer.send(new ProducerRecord<>(topic, 0, key, value)));
            });
            for (Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing MirrorMaker 2 start positions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write MirrorMaker 2 start positions to " + topic + " on " + target.name(), e);
        }
    }

    private static void createCompacted(EmbeddedKafkaCluster target, String topic, int replicationFactor) {
        try (Admin admin = target.admin()) {
            NewTopic offsets = new NewTopic(topic, 1, (short) replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(offsets)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + topic + " on " + target.name(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not create " + topic + " on " + target.name() + " within 30 s", e);
        }
    }
}
