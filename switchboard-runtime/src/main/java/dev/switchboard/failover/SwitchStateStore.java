package dev.switchboard.failover;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.audit.AuditEvent;
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
 * <p>A write goes to every cluster at once; it succeeds once the cluster it names as active took it, or any
 * cluster if that one cannot. A read takes the highest epoch found on any cluster that answers. So gateway
 * instances agree on the active cluster without talking to each other, a switch written while the primary is
 * dead wins when it returns, and a new instance starts on the cluster the state names. An unreachable cluster
 * costs a bounded wait, never a failure.
 *
 * <p>Running instances {@link #follow follow} the topic on every cluster with one long-lived consumer each, and
 * copy the newest state to a cluster that lacks it once that cluster answers again. The same topic carries the
 * virtual node map ({@value #NODES_KEY}), each instance's report ({@value #INSTANCE_KEY_PREFIX}id), the chaos rules
 * ({@value #CHAOS_KEY_PREFIX}name) and the steps of automatic failovers ({@value #AUTO_FAILOVER_KEY_PREFIX}…).
 */
public final class SwitchStateStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchStateStore.class);

    /** Starts with "__" so MirrorMaker 2's default filter never replicates it: each cluster keeps its own copy. */
    public static final String TOPIC = "__switchboard.switch-state";
    /**
     * Every admin action, on every cluster, so that the audit trail survives the loss of either; kept a year. Its
     * {@code __} prefix keeps MirrorMaker 2 from copying it.
     */
    public static final String AUDIT_TOPIC = "__switchboard.audit";
    private static final long AUDIT_RETENTION_MILLIS = Duration.ofDays(365).toMillis();
    static final String SWITCH_KEY = "switch";
    public static final String NODES_KEY = "nodes";
    public static final String INSTANCE_KEY_PREFIX = "instance/";
    /** Chaos rules share the topic, one key per rule name, so every instance applies them and a restart keeps them. */
    public static final String CHAOS_KEY_PREFIX = "chaos/";
    /** The steps of automatic failovers, one key each; see {@link AutoFailoverEvent}. */
    public static final String AUTO_FAILOVER_KEY_PREFIX = "auto-failover/";
    /** The gateway's users, one record per user name: salted credentials or a removal, never a password. */
    public static final String USER_KEY_PREFIX = "user/";
    /** The admin API's tokens, one record per token id: the hash of its secret, never the secret. */
    public static final String TOKEN_KEY_PREFIX = "token/";
    /** The gateway's ACL bindings, one record per binding (keyed by a hash of it), or its removal. */
    public static final String ACL_KEY_PREFIX = "acl/";
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(5);
    /** How long closing waits for followers woken from their consumers to stop by themselves. */
    private static final Duration FOLLOWER_STOP_WAIT = Duration.ofSeconds(1);
    private static final Duration OTHERS_GRACE = Duration.ofSeconds(1);
    private static final Duration REPAIR_INTERVAL = Duration.ofSeconds(5);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a follower is told, in the order each cluster's topic holds it. */
    public interface Listener {
        void switchState(String cluster, SwitchState state);

        void nodeMap(String cluster, NodeMap nodes);

        void instanceReport(String cluster, InstanceReport report);

        /** A change to the chaos rule {@code name}, as the JSON it was published with. */
        default void chaosRule(String cluster, String name, String json) {
        }

        /** A change to the gateway user {@code name}, as the JSON it was published with. */
        default void user(String cluster, String name, String json) {
        }

        /** A change to the ACL binding {@code key}, as the JSON it was published with. */
        default void acl(String cluster, String key, String json) {
        }

        /** A change to the admin token {@code id}, as the JSON it was published with. */
        default void adminToken(String cluster, String id, String json) {
        }

        /** A step of an automatic failover, in the order {@code cluster}'s topic holds it. */
        default void autoFailover(String cluster, AutoFailoverEvent event) {
        }
    }

    private final List<ClusterConfig> clusters;
    private final Map<String, KafkaProducer<String, String>> producers = new ConcurrentHashMap<>();
    private final Map<String, ExecutorService> writers = new ConcurrentHashMap<>();
    private final Set<String> topicReady = ConcurrentHashMap.newKeySet();
    private final List<Thread> followers = new ArrayList<>();
    /** The followers' consumers now, woken to stop: an interrupted consumer logs an error as it closes. */
    private final Set<KafkaConsumer<String, String>> followerConsumers = ConcurrentHashMap.newKeySet();
    private final Map<String, CountDownLatch> caughtUp = new ConcurrentHashMap<>();
    private final Map<String, Long> epochOnCluster = new ConcurrentHashMap<>();
    private final AtomicReference<SwitchState> highest = new AtomicReference<>();
    private volatile boolean closed;

    public SwitchStateStore(List<ClusterConfig> clusters) {
        this.clusters = List.copyOf(clusters);
        for (ClusterConfig cluster : clusters) {
            caughtUp.put(cluster.name(), new CountDownLatch(1));
        }
    }

    /** The state with the highest epoch on any cluster that answers, or empty if none holds one. */
    public Optional<SwitchState> read() {
        return readEach().values().stream().flatMap(Optional::stream).max(Comparator.comparingLong(SwitchState::epoch));
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
     * The highest state on the clusters this store's followers have not read to the end yet; what the others hold
     * is {@link #known}. A cluster that went down after its follower caught up costs nothing here.
     */
    private Optional<SwitchState> readNotFollowed() {
        Optional<SwitchState> newest = Optional.empty();
        for (ClusterConfig cluster : clusters) {
            if (caughtUp.get(cluster.name()).getCount() == 0) {
                continue;
            }
            try {
                Optional<SwitchState> state = readFrom(cluster);
                if (state.isPresent() && (newest.isEmpty() || state.get().epoch() > newest.get().epoch())) {
                    newest = state;
                }
            } catch (RuntimeException e) {
                LOG.warn("Switch state not read from cluster={}: {}", cluster.name(), e.toString());
            }
        }
        return newest;
    }

    /** The highest state this store has read or written, without asking any cluster. */
    public Optional<SwitchState> known() {
        return Optional.ofNullable(highest.get());
    }

    /**
     * Writes {@code state} to every cluster at once. Refuses an epoch that is not above the highest one known.
     * Returns once the cluster the state makes active has it, or every cluster has answered; the clusters that
     * took it by then are returned. A cluster that did not is sent the state again once it answers.
     */
    public List<String> write(SwitchState state) {
        long current = known().or(this::readNotFollowed).map(SwitchState::epoch).orElse(-1L);
        if (state.epoch() <= current) {
            throw new IllegalStateException("switch epoch " + state.epoch() + " is not above the current epoch " + current);
        }
        String json = encode(state);
        Map<String, CompletableFuture<Void>> sends = new LinkedHashMap<>();
        for (ClusterConfig cluster : clusters) {
            sends.put(cluster.name(), send(cluster, SWITCH_KEY, json));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(sends.values().stream().map(f -> f.exceptionally(x -> null))
                .toArray(CompletableFuture[]::new));
        CompletableFuture<Void> active = sends.get(state.activeCluster());
        boolean activeTook = false;
        try {
            if (active != null) {
                active.get(CLUSTER_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
                activeTook = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Active cluster {} did not take switch state epoch={}: {}", state.activeCluster(), state.epoch(), e.toString());
        }
        try {
            // Once the active cluster has it, the others get a moment more, so a live cluster is rarely left to the
            // repair and a dead one costs a second. Otherwise any cluster will do.
            all.get(activeTook ? OTHERS_GRACE.toMillis() : CLUSTER_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Left to the repair.
        }
        List<String> written = new ArrayList<>();
        sends.forEach((cluster, send) -> {
            if (send.isDone() && !send.isCompletedExceptionally()) {
                written.add(cluster);
                epochOnCluster.merge(cluster, state.epoch(), Math::max);
            }
        });
        if (written.isEmpty()) {
            throw new IllegalStateException("no cluster took switch state epoch " + state.epoch());
        }
        highest.accumulateAndGet(state, SwitchStateStore::higher);
        LOG.info("Switch state epoch={} activeCluster={} hold={} written to {}", state.epoch(), state.activeCluster(),
                state.hold(), written);
        return written;
    }

    /** Records a value under {@code key} on every cluster, without waiting; failures are logged. */
    public void publish(String key, Object value) {
        String json = encode(value);
        for (ClusterConfig cluster : clusters) {
            send(cluster, key, json).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.debug("{} not recorded on cluster={}: {}", key, cluster.name(), error.toString());
                }
            });
        }
    }

    /** Follows the topic on every cluster until closed: one thread and one consumer per cluster. */
    public synchronized void follow(Listener listener) {
        for (ClusterConfig cluster : clusters) {
            Thread thread = new Thread(() -> followLoop(cluster, listener), "switchboard-state-" + cluster.name());
            thread.setDaemon(true);
            thread.start();
            followers.add(thread);
        }
    }

    /** Waits until each of {@code clusterNames} has been read to its end once, or the timeout passes. */
    public boolean awaitCaughtUp(List<String> clusterNames, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String name : clusterNames) {
            CountDownLatch latch = caughtUp.get(name);
            if (latch != null && !latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    private void followLoop(ClusterConfig cluster, Listener listener) {
        while (!closed) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(clientProperties(cluster, Map.of(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    // A fetch returns as soon as a record arrives, so a long wait delays no switch; a short one made
                    // this idle follower cost as much CPU as the data path under load (JFR, ./switchboard bench).
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500)))) {
                followerConsumers.add(consumer);
                try {
                    if (!closed) {
                        follow(cluster, listener, consumer);
                    }
                } finally {
                    followerConsumers.remove(consumer);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.debug("Following switch state on cluster={} failed, retrying: {}", cluster.name(), e.toString());
                try {
                    Thread.sleep(REPAIR_INTERVAL.toMillis() / 2);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Reads the topic on one cluster until closed; every record goes to the listener. A cluster is repaired at once
     * when it is (re)joined, since one that was just unreachable is the one likely to have missed a switch.
     */
    private void follow(ClusterConfig cluster, Listener listener, KafkaConsumer<String, String> consumer) {
        long lastRepair = 0;
        ensureTopic(cluster, TOPIC);
        topicReady.add(cluster.name() + "/" + TOPIC);
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), CLUSTER_TIMEOUT).get(partition);
        while (!closed) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                dispatch(cluster.name(), record, listener);
            }
            if (consumer.position(partition, CLUSTER_TIMEOUT) >= end) {
                caughtUp.get(cluster.name()).countDown();
            }
            if (System.nanoTime() - lastRepair > REPAIR_INTERVAL.toNanos()) {
                lastRepair = System.nanoTime();
                repair(cluster);
            }
        }
    }

    private void dispatch(String cluster, ConsumerRecord<String, String> record, Listener listener) {
        if (record.value() == null) {
            return;
        }
        try {
            if (SWITCH_KEY.equals(record.key())) {
                SwitchState state = JSON.readValue(record.value(), SwitchState.class);
                epochOnCluster.merge(cluster, state.epoch(), Math::max);
                highest.accumulateAndGet(state, SwitchStateStore::higher);
                listener.switchState(cluster, state);
            } else if (NODES_KEY.equals(record.key())) {
                listener.nodeMap(cluster, JSON.readValue(record.value(), NodeMap.class));
            } else if (record.key() != null && record.key().startsWith(INSTANCE_KEY_PREFIX)) {
                listener.instanceReport(cluster, JSON.readValue(record.value(), InstanceReport.class));
            } else if (record.key() != null && record.key().startsWith(AUTO_FAILOVER_KEY_PREFIX)) {
                listener.autoFailover(cluster, JSON.readValue(record.value(), AutoFailoverEvent.class));
            } else if (record.key() != null && record.key().startsWith(ACL_KEY_PREFIX)) {
                listener.acl(cluster, record.key().substring(ACL_KEY_PREFIX.length()), record.value());
            } else if (record.key() != null && record.key().startsWith(TOKEN_KEY_PREFIX)) {
                listener.adminToken(cluster, record.key().substring(TOKEN_KEY_PREFIX.length()), record.value());
            } else if (record.key() != null && record.key().startsWith(USER_KEY_PREFIX)) {
                listener.user(cluster, record.key().substring(USER_KEY_PREFIX.length()), record.value());
            } else if (record.key() != null && record.key().startsWith(CHAOS_KEY_PREFIX)) {
                listener.chaosRule(cluster, record.key().substring(CHAOS_KEY_PREFIX.length()), record.value());
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("Unreadable record key={} offset={} in {} on cluster={}: {}", record.key(), record.offset(), TOPIC, cluster,
                    e.toString());
        }
    }

    /** A cluster that missed a switch (it was down) gets the newest state once it answers again. */
    private void repair(ClusterConfig cluster) {
        SwitchState newest = highest.get();
        if (newest != null && epochOnCluster.getOrDefault(cluster.name(), -1L) < newest.epoch()) {
            LOG.info("Cluster {} lacks switch state epoch={}; writing it there", cluster.name(), newest.epoch());
            send(cluster, SWITCH_KEY, encode(newest)).whenComplete((ok, error) -> {
                if (error == null) {
                    epochOnCluster.merge(cluster.name(), newest.epoch(), Math::max);
                }
            });
        }
    }

    /** The higher of two states; an equal epoch written by two instances at once goes to the later one. */
    public static SwitchState higher(SwitchState a, SwitchState b) {
        if (a == null) {
            return b;
        }
        if (a.epoch() != b.epoch()) {
            return a.epoch() > b.epoch() ? a : b;
        }
        return a.switchedAt() != null && b.switchedAt() != null && b.switchedAt().isAfter(a.switchedAt()) ? b : a;
    }

    /** Appends an audit event to {@link #AUDIT_TOPIC} on every cluster, without waiting; failures are logged. */
    public void audit(AuditEvent event) {
        String json = encode(event);
        for (ClusterConfig cluster : clusters) {
            send(cluster, AUDIT_TOPIC, event.action(), json).whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warn("Audit event {} by {} not written to {} on cluster={}: {}", event.action(), event.actor(), AUDIT_TOPIC,
                            cluster.name(), error.toString());
                }
            });
        }
    }

    private CompletableFuture<Void> send(ClusterConfig cluster, String key, String json) {
        return send(cluster, TOPIC, key, json);
    }

    private CompletableFuture<Void> send(ClusterConfig cluster, String topic, String key, String json) {
        ExecutorService writer = writers.computeIfAbsent(cluster.name(), name -> Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "switchboard-state-writer-" + name);
            thread.setDaemon(true);
            return thread;
        }));
        return CompletableFuture.runAsync(() -> {
            if (topicReady.add(cluster.name() + "/" + topic)) {
                try {
                    ensureTopic(cluster, topic);
                } catch (RuntimeException e) {
                    topicReady.remove(cluster.name() + "/" + topic);
                    throw e;
                }
            }
            try {
                producer(cluster).send(new ProducerRecord<>(topic, 0, key, json)).get(CLUSTER_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted writing switch state", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot write " + key + " to " + cluster.name() + ": " + e.getMessage(), e);
            }
        }, writer);
    }

    private KafkaProducer<String, String> producer(ClusterConfig cluster) {
        return producers.computeIfAbsent(cluster.name(), name -> new KafkaProducer<>(clientProperties(cluster, Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis() * 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CLUSTER_TIMEOUT.toMillis()))));
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
            SwitchState found = null;
            long deadline = System.nanoTime() + CLUSTER_TIMEOUT.toNanos();
            while (consumer.position(partition, CLUSTER_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + TOPIC);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (SWITCH_KEY.equals(record.key()) && record.value() != null) {
                        found = higher(found, parse(record.value()));
                    }
                }
            }
            return Optional.ofNullable(found);
        }
    }

    /** The switch-state topic compacted, the audit topic kept a year; one partition each, so order is kept. */
    private void ensureTopic(ClusterConfig cluster, String name) {
        try (Admin admin = Admin.create(clientProperties(cluster, Map.of()))) {
            int brokers = admin.describeCluster().nodes().get(CLUSTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            Map<String, String> configs = name.equals(AUDIT_TOPIC)
                    ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, String.valueOf(AUDIT_RETENTION_MILLIS),
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, brokers)))
                    : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(Math.min(2, brokers)));
            NewTopic topic = new NewTopic(name, 1, (short) Math.min(3, brokers)).configs(configs);
            admin.createTopics(List.of(topic)).all().get(CLUSTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + name + " on " + cluster.name() + ": " + e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cluster " + cluster.name() + " did not answer within " + CLUSTER_TIMEOUT, e);
        }
    }

    private static String encode(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
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

    @Override
    public synchronized void close() {
        closed = true;
        followerConsumers.forEach(KafkaConsumer::wakeup);
        long deadline = System.nanoTime() + FOLLOWER_STOP_WAIT.toNanos();
        for (Thread follower : followers) {
            try {
                follower.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Any still waiting (between attempts, or on a cluster that does not answer) are cut short.
        followers.forEach(Thread::interrupt);
        writers.values().forEach(ExecutorService::shutdownNow);
        producers.values().forEach(p -> p.close(Duration.ofSeconds(1)));
    }
}
