package dev.switchboard.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.connect.mirror.DefaultTopicFilter;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.ReplicationPolicy;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.apache.kafka.connect.mirror.TopicFilter;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's MirrorMaker 2 in dedicated mode, in this JVM, replicating one embedded cluster into another.
 *
 * <p>Switchboard never copies records itself: failover trusts MirrorMaker 2 to have done it. Running the real
 * thing lets the demo and the failover tests meet its at-least-once delivery, offset translation and lag as
 * production would.
 *
 * <p>Topics keep their names on the target ({@code IdentityReplicationPolicy}), so a client moved to the target
 * finds the topics it knows. Identity names cannot tell where a record came from: both directions at once would
 * copy every record back and forth forever, and a reverse flow started later copies back everything the forward
 * flow copied over. Fail back by closing one direction before starting the other, and allow for those copies.
 * {@link Builder#start()} refuses a second flow between the same two clusters.
 *
 * <p>Everything MirrorMaker 2 stores lives on the target: its Connect worker topics, checkpoints and offset syncs.
 * The source, which clients reach through the gateway, shows only their own topics.
 */
public final class EmbeddedMirrorMaker implements AutoCloseable {

    /**
     * Switchboard's own topics, whose contents mean nothing on another cluster. MirrorMaker 2's default
     * exclusion of {@code __.*} covers them today; naming them keeps them out should that default change.
     */
    public static final String SWITCHBOARD_TOPICS = "__switchboard.*";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMirrorMaker.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OFFSET_FLUSH_INTERVAL = Duration.ofMillis(250);
    // Pairs of cluster ids, either order, with a flow running between them in this JVM.
    private static final Set<Set<String>> RUNNING_PAIRS = ConcurrentHashMap.newKeySet();

    private final SourceAndTarget flow;
    private final Set<String> pair;
    private final MirrorMaker mirrorMaker;
    private final TopicFilter topicFilter;
    private final ReplicationPolicy replicationPolicy = new IdentityReplicationPolicy();
    private final Admin sourceAdmin;
    private final Admin targetAdmin;
    private boolean closed;

    private EmbeddedMirrorMaker(EmbeddedKafkaCluster source, EmbeddedKafkaCluster target, Map<String, String> props,
                                Set<String> pair) {
        this.flow = new SourceAndTarget(source.name(), target.name());
        this.pair = pair;
        DefaultTopicFilter filter = new DefaultTopicFilter();
        filter.configure(props);
        this.topicFilter = filter;
        // MirrorMaker swaps the calling thread's context class loader for Connect's plugin loader and leaves it.
        Thread thread = Thread.currentThread();
        ClassLoader loader = thread.getContextClassLoader();
        try {
            this.mirrorMaker = new MirrorMaker(props);
            try {
                mirrorMaker.start();
            } catch (RuntimeException e) {
                mirrorMaker.stop();
                throw e;
            }
        } finally {
            thread.setContextClassLoader(loader);
        }
        this.sourceAdmin = source.admin();
        this.targetAdmin = target.admin();
    }

    /** A flow from {@code source} to {@code target}; the reverse flow is a second instance, started later. */
    public static Builder builder(EmbeddedKafkaCluster source, EmbeddedKafkaCluster target) {
        return new Builder(source, target);
    }

    /**
     * Returns once records flow. MirrorMaker 2 configures its connectors only after its worker has joined its
     * group, and copies only through the source connector's tasks, which exist once the source has a topic to
     * replicate: create one first. The checkpoint connector gets a task only once the source has a consumer
     * group, so only the connector itself must be running.
     */
    public void awaitRunning() {
        EmbeddedKafkaCluster.waitUntil(() -> running(MirrorSourceConnector.class, true)
                && running(MirrorCheckpointConnector.class, false), "MirrorMaker 2 " + flow + " to run");
        LOG.info("MirrorMaker 2 is running flow={}", flow);
    }

    private boolean running(Class<?> connector, boolean needsTasks) {
        ConnectorStateInfo status = mirrorMaker.connectorStatus(flow, connector.getSimpleName());
        String failures = status.tasks().stream().filter(task -> task.state().equals("FAILED"))
                .map(task -> "task " + task.id() + ": " + task.trace()).collect(Collectors.joining("; "));
        if (status.connector().state().equals("FAILED") || !failures.isEmpty()) {
            // waitUntil reports this as the cause when it gives up.
            throw new IllegalStateException(connector.getSimpleName() + " of " + flow + " failed: "
                    + status.connector().trace() + " " + failures);
        }
        return status.connector().state().equals("RUNNING") && (!needsTasks || !status.tasks().isEmpty())
                && status.tasks().stream().allMatch(task -> task.state().equals("RUNNING"));
    }

    /** The source's topics this flow replicates now, decided by MirrorMaker 2's own topic filter and policy. */
    public Set<String> replicatedTopics() {
        Set<String> names = await(sourceAdmin.listTopics().names(), "list the topics of " + flow.source());
        return names.stream().filter(topicFilter::shouldReplicateTopic)
                .filter(topic -> !replicationPolicy.isInternalTopic(topic))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * End offsets of {@code topics} on both clusters; a topic missing on one side has no partitions there. The
     * source is read first, so equal offsets mean the target holds everything the source held when this began.
     */
    public EndOffsets endOffsets(Collection<String> topics) {
        return new EndOffsets(endOffsets(sourceAdmin, flow.source(), topics), endOffsets(targetAdmin, flow.target(), topics));
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String cluster, Collection<String> topics) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
            TopicDescription description;
            try {
                description = await(topic.getValue(), "describe " + topic.getKey() + " on " + cluster);
            } catch (IllegalStateException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    continue;
                }
                throw e;
            }
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic.getKey(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResultInfo> offsets = await(admin.listOffsets(latest).all(), "list end offsets on " + cluster);
        return offsets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + ADMIN_TIMEOUT, e);
        }
    }

    /** Stops replication; the clusters may be closed once this returns. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // On Ctrl-C, MirrorMaker's own shutdown hook may be stopping it already; stop() then returns at once and
        // awaitStop() waits for that hook, so the clusters outlive replication either way.
        try {
            mirrorMaker.stop();
            mirrorMaker.awaitStop();
        } finally {
            sourceAdmin.close();
            targetAdmin.close();
            RUNNING_PAIRS.remove(pair);
        }
        LOG.info("Stopped MirrorMaker 2 flow={}", flow);
    }

    @Override
    public String toString() {
        return "EmbeddedMirrorMaker[" + flow + "]";
    }

    /** Describes a flow to start. */
    public static final class Builder {
        private final EmbeddedKafkaCluster source;
        private final EmbeddedKafkaCluster target;
        private Duration interval = Duration.ofSeconds(1);
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<TopicPartition, Long> startingAt = new HashMap<>();

        private Builder(EmbeddedKafkaCluster source, EmbeddedKafkaCluster target) {
            for (EmbeddedKafkaCluster cluster : List.of(source, target)) {
                if (!cluster.name().matches("[A-Za-z0-9_-]+")) {
                    throw new IllegalArgumentException("cluster name '" + cluster.name() + "' cannot be a MirrorMaker 2 alias;"
                            + " aliases become parts of topic names, so use letters, digits, '_' and '-'");
                }
            }
            if (source.name().equals(target.name())) {
                throw new IllegalArgumentException("source and target are both named '" + source.name()
                        + "'; MirrorMaker 2 tells clusters apart by name");
            }
            this.source = source;
            this.target = target;
        }

        /**
         * How often MirrorMaker 2 looks for new topics and consumer groups, syncs topic configs, emits checkpoints
         * and syncs group offsets. Whole seconds, as MirrorMaker 2 counts them. The default, 1 s, lets a test or
         * the demo see a new topic or a committed offset on the target within seconds.
         */
        public Builder interval(Duration interval) {
            if (interval.isNegative() || interval.isZero() || interval.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("interval must be a positive whole number of seconds, was " + interval);
            }
            this.interval = interval;
            return this;
        }

        /**
         * Starts copying each listed source partition at the given offset instead of its beginning; partitions not
         * listed start at their beginning. A failback's reverse flow starts where the clusters were equal at the
         * switch, so it copies only what clients wrote since, not back everything the forward flow copied over.
         * MirrorMaker 2 keeps where it is in its Connect worker's offsets topic on the target; this writes those
         * positions there before the flow starts, as the worker itself would have.
         */
        public Builder startingAt(Map<TopicPartition, Long> nextOffsets) {
            startingAt.putAll(nextOffsets);
            return this;
        }

        /** Any MirrorMaker 2 setting in mm2.properties form, e.g. {@code topics}; applied over the test kit's own. */
        public Builder property(String key, Object value) {
            overrides.put(key, String.valueOf(value));
            return this;
        }

        public EmbeddedMirrorMaker start() {
            Set<String> pair = Set.of(source.clusterId(), target.clusterId());
            if (!RUNNING_PAIRS.add(pair)) {
                throw new IllegalStateException("MirrorMaker 2 already runs between " + source.name() + " and "
                        + target.name() + "; with identity topic names a second flow would copy records twice or in a loop."
                        + " Close it first.");
            }
            long started = System.nanoTime();
            try {
                if (!startingAt.isEmpty()) {
                    SourcePositions.write(source.name(), target, replicationFactor(), startingAt);
                }
                EmbeddedMirrorMaker mirrorMaker = new EmbeddedMirrorMaker(source, target, properties(), pair);
                LOG.info("Started MirrorMaker 2 flow={} interval={} in {} ms", mirrorMaker.flow, interval,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return mirrorMaker;
            } catch (RuntimeException e) {
                RUNNING_PAIRS.remove(pair);
                throw e;
            }
        }

        private int replicationFactor() {
            return Math.min(3, target.nodeIds().size());
        }

        private Map<String, String> properties() {
            String from = source.name();
            String to = target.name();
            Map<String, String> props = new LinkedHashMap<>();
            props.put("clusters", from + "," + to);
            props.put(from + ".bootstrap.servers", source.plaintextBootstrapServers());
            props.put(to + ".bootstrap.servers", target.plaintextBootstrapServers());
            props.put(from + "->" + to + ".enabled", "true");
            props.put("replication.policy.class", IdentityReplicationPolicy.class.getName());
            // No heartbeats: emitting them takes a second Connect worker for the reverse pair and a topic on the
            // source, and failover reads end offsets instead. The heartbeat connector still creates an empty
            // 'heartbeats' topic on the target, which a reverse flow would copy back renamed: the filter drops it.
            props.put("emit.heartbeats.enabled", "false");
            props.put("heartbeats.replication.enabled", "false");
            props.put("topics.exclude", DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT + ", heartbeats, " + SWITCHBOARD_TOPICS);
            // Without an authorizer on the brokers there are no ACLs to sync, only a warning every interval.
            props.put("sync.topic.acls.enabled", "false");

            props.put("emit.checkpoints.enabled", "true");
            props.put("sync.group.offsets.enabled", "true");
            String seconds = String.valueOf(interval.toSeconds());
            for (String setting : List.of("refresh.topics", "refresh.groups", "sync.topic.configs", "emit.checkpoints",
                    "sync.group.offsets")) {
                props.put(setting + ".interval.seconds", seconds);
            }
            // An offset sync for every record, so a group's committed offset translates exactly rather than to
            // an earlier sync, which would make a consumer moved to the target read records again.
            props.put("offset.lag.max", "0");
            props.put("offset-syncs.topic.location", "target");
            // Once records stop, MirrorMaker 2 writes the offset sync of the last record copied only when its worker
            // commits source offsets (every 60 s by default); until then the latest committed offsets translate short.
            // Unlike MirrorMaker 2's own intervals this one is in milliseconds: a planned switchover waits for it.
            props.put(to + ".offset.flush.interval.ms", String.valueOf(OFFSET_FLUSH_INTERVAL.toMillis()));

            // Everything MirrorMaker 2 creates lives on the target, so the target's size bounds every factor.
            String replicationFactor = String.valueOf(replicationFactor());
            for (String setting : List.of("replication.factor", "checkpoints.topic.replication.factor",
                    "heartbeats.topic.replication.factor", "offset-syncs.topic.replication.factor",
                    "offset.storage.replication.factor", "config.storage.replication.factor",
                    "status.storage.replication.factor")) {
                props.put(setting, replicationFactor);
            }
            // One worker in one JVM: one task per connector, one partition per Connect topic (defaults 25 and 5),
            // and no REST server, which only multi-node MirrorMaker 2 clusters need.
            props.put("tasks.max", "1");
            props.put("offset.storage.partitions", "1");
            props.put("status.storage.partitions", "1");
            props.put("dedicated.mode.enable.internal.rest", "false");
            // Connect's plugins all declare themselves to the ServiceLoader, so scanning the class path, which
            // costs seconds, finds nothing more. Once for MirrorMaker 2's config, once for the target's worker.
            props.put("plugin.discovery", "service_load");
            props.put(to + ".plugin.discovery", "service_load");
            props.putAll(overrides);
            return props;
        }
    }
}
