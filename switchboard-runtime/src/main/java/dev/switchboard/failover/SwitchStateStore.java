package dev.switchboard.failover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.config.ClusterConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch state, kept in a compacted single-partition topic on every upstream cluster.
 *
 * <p>A write goes to every cluster that answers; it succeeds if at least one took it. A read takes the
 * highest epoch found on any cluster that answers. So gateway instances agree on the active cluster without
 * talking to each other, a switch written while the primary is dead wins when it returns, and a new instance
 * starts on the cluster the state names. An unreachable cluster costs a bounded wait, never a failure.
 */
public final class SwitchStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchStateStore.class);

    /** Starts with "__" so MirrorMaker 2's default filter never replicates it: each cluster keeps its own copy. */
    public static final String TOPIC = "__switchboard.switch-state";
    private static final String KEY = "switch";
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final List<ClusterConfig> clusters;

    public SwitchStateStore(List<ClusterConfig> clusters) {
        this.clusters = List.copyOf(clusters);
    }

    /** The state with the highest epoch on any cluster that answers, or empty if none holds one. */
    public Optional<SwitchState> read() {
        return readEach().values().stream().flatMap(Optional::stream)
                .max(java.util.Comparator.comparingLong(SwitchState::epoch));
    }

    /** What each answering cluster holds; clusters that do not answer are left out. */
    public Map<String, Optional<SwitchState>> readEach() {
        Map<String, Optional<SwitchState>> states = new LinkedHashMap<>();
        for (ClusterConfig cluster : clusters) {
            try {
                states.put(cluster.name(), readFrom(cluster));
            } catch (RuntimeException e) {
                LOG.warn("Switch state not read from cluster={}: {}", cluster.name(), e.toString());
            }
        }
        return states;
    }

    /**
     * Writes {@code state} to every cluster that answers. Refuses an epoch that is not above the highest one
     * readable now. Returns the clusters that took it.
     */
    public List<String> write(SwitchState state) {
        long current = read().map(SwitchState::epoch).orElse(-1L);
        if (state.epoch() <= current) {
            throw new IllegalStateException("switch epoch " + state.epoch() + " is not above the current epoch " + current);
        }
        List<String> written = new ArrayList<>();
        for (ClusterConfig cluster : clusters) {
            try {
                writeTo(cluster, state);
                written.add(cluster.name());
            } catch (RuntimeException e) {
                LOG.warn("Switch state epoch={} not written to cluster={}: {}", state.epoch(), cluster.name(), e.toString());
            }
        }
        if (written.isEmpty()) {
            throw new IllegalStateException("no cluster took switch state epoch " + state.epoch());
        }
        LOG.info("Switch state epoch={} activeCluster={} written to {}", state.epoch(), state.activeCluster(), written);
        return written;
    }

    private Optional<SwitchState> readFrom(ClusterConfig cluster) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(clientProperties(cluster, Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)))) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            if (consumer.partitionsFor(TOPIC, CLUSTER_TIMEOUT).isEmpty()) {
                return Optional.empty();
            }
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), CLUSTER_TIMEOUT).get(partition);
            SwitchState highest = null;
            long deadline = System.nanoTime() + CLUSTER_TIMEOUT.toNanos();
            while (consumer.position(partition, CLUSTER_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + TOPIC);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    SwitchState state = parse(record.value());
                    if (highest == null || state.epoch() > highest.epoch()) {
                        highest = state;
                    }
                }
            }
            return Optional.ofNullable(highest);
        }
    }

    private void writeTo(ClusterConfig cluster, SwitchState state) {
        ensureTopic(cluster);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProperties(cluster, Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis() * 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis())))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, KEY, JSON.writeValueAsString(state)))
                    .get(CLUSTER_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + state, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing switch state", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write switch state to " + cluster.name() + ": " + e.getMessage(), e);
        }
    }

    private void ensureTopic(ClusterConfig cluster) {
        try (Admin admin = Admin.create(clientProperties(cluster, Map.of()))) {
            int brokers = admin.describeCluster().nodes().get(CLUSTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic topic = new NewTopic(TOPIC, 1, (short) Math.min(3, brokers)).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, brokers))));
            admin.createTopics(List.of(topic)).all().get(CLUSTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + TOPIC + " on " + cluster.name() + ": " + e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + TOPIC, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cluster " + cluster.name() + " did not answer within " + CLUSTER_TIMEOUT, e);
        }
    }

    private static SwitchState parse(String json) {
        try {
            return JSON.readValue(json, SwitchState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable switch state: " + json, e);
        }
    }

    private static Map<String, Object> clientProperties(ClusterConfig cluster, Map<String, Object> extra) {
        Map<String, Object> props = ClusterClientProperties.of(cluster, "switchboard-switch-state", CLUSTER_TIMEOUT);
        props.putAll(extra);
        return props;
    }
}
