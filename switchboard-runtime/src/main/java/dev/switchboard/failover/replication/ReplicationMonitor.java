package dev.switchboard.failover.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.switchboard.config.ClusterConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads how far MirrorMaker 2's copy of the source on the target is behind, for failover. The gateway never
 * writes replicated data; it only reads end offsets, committed group offsets and MirrorMaker 2's checkpoints.
 *
 * <ul>
 *   <li>{@link #start()} samples the lag in the background every interval; {@link #lastSample()} keeps the last
 *   values read from both clusters after the source dies, which is the data-loss window an unplanned failover
 *   reports.</li>
 *   <li>{@link #checkCatchUp()} checks now whether a planned switchover may go ahead: no partition behind and
 *   every consumer group synced to the target.</li>
 * </ul>
 *
 * <p>Topics are named alike on both clusters (MirrorMaker 2's {@code IdentityReplicationPolicy}); which count as
 * replicated is {@link ReplicatedTopicFilter}'s call. Every read of a cluster waits at most 5 s, so a dead
 * cluster slows a sample or a check down by a bounded time and never fails it with an exception. The Admin
 * clients and the checkpoint consumer live as long as the monitor, so checking every 500 ms stays cheap.
 */
public final class ReplicationMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationMonitor.class);
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(5);
    private static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final String flow;
    private final Duration sampleInterval;
    private final Duration clusterTimeout;
    private final ClusterOffsets source;
    private final ClusterOffsets target;
    private final LatestCheckpoints checkpoints;
    private final ScheduledExecutorService sampler;
    private final AtomicBoolean started = new AtomicBoolean();
    // Written by the sampler thread only.
    private volatile LagSample lastSample;

    /**
     * @param source         the cluster clients use now, which MirrorMaker 2 copies from
     * @param target         the cluster MirrorMaker 2 copies to, where its checkpoints are
     * @param sourceAlias    the source's name in MirrorMaker 2's config, which names its checkpoints topic
     * @param sampleInterval the pause between the end of one lag sample and the start of the next
     */
    public ReplicationMonitor(ClusterConfig source, ClusterConfig target, String sourceAlias, Duration sampleInterval) {
        this(source, target, sourceAlias, sampleInterval, CLUSTER_TIMEOUT);
    }

    /** As above, waiting at most {@code clusterTimeout} for any one read of a cluster. */
    ReplicationMonitor(ClusterConfig source, ClusterConfig target, String sourceAlias, Duration sampleInterval,
                       Duration clusterTimeout) {
        if (sourceAlias == null || sourceAlias.isBlank()) {
            throw new IllegalArgumentException("sourceAlias is required: the source's name in MirrorMaker 2's config");
        }
        if (sampleInterval.isNegative() || sampleInterval.isZero()) {
            throw new IllegalArgumentException("sampleInterval must be positive, was " + sampleInterval);
        }
        this.flow = source.name() + "->" + target.name();
        this.sampleInterval = sampleInterval;
        this.clusterTimeout = clusterTimeout;
        this.source = new ClusterOffsets(source, clusterTimeout);
        ClusterOffsets targetOffsets = null;
        try {
            targetOffsets = new ClusterOffsets(target, clusterTimeout);
            this.checkpoints = new LatestCheckpoints(target, sourceAlias, clusterTimeout);
        } catch (RuntimeException e) {
            this.source.close();
            if (targetOffsets != null) {
                targetOffsets.close();
            }
            throw e;
        }
        this.target = targetOffsets;
        this.sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "switchboard-replication-lag-" + source.name());
            // Sampling must never keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts sampling the lag, the first sample at once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("replication monitor " + flow + " was already started");
        }
        sampler.scheduleWithFixedDelay(this::sampleQuietly, 0, sampleInterval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Sampling replication lag flow={} interval={} checkpoints={}", flow, sampleInterval, checkpoints.topic());
    }

    /**
     * The last lag read from both clusters, with the reachability of the latest attempt; empty until a sample
     * has read both clusters once.
     */
    public Optional<LagSample> lastSample() {
        return Optional.ofNullable(lastSample);
    }

    /**
     * Checks now whether the target has caught up with the source; see {@link CatchUp}. Takes a few round trips
     * to each cluster when they answer, and returns a failed check with its {@link CatchUp#problems()} after
     * bounded waits when one does not.
     */
    public CatchUp checkCatchUp() {
        Instant checkedAt = Instant.now();
        EndOffsetsReading reading = readEndOffsets();
        if (!reading.complete()) {
            return new CatchUp(checkedAt, List.of(), List.of(), List.of(), reading.problems());
        }
        List<String> problems = new ArrayList<>();
        List<GroupSync> groups = attempt(() -> groupSyncs(reading), problems).orElse(List.of());
        return new CatchUp(checkedAt, reading.topics(), reading.sourceOnlyTopics(), groups, problems);
    }

    /**
     * Writes to the target the group offsets {@code check} found exact but missing there
     * ({@link CatchUp#exactOffsetsToWrite()}), instead of waiting for MirrorMaker 2 to translate them. Only a planned
     * switchover may, once produce requests are held: then no group commits further on the source. Returns what
     * could not be written, e.g. a group that has members on the target; an empty list when all was.
     */
    public List<String> writeExactOffsets(CatchUp check) {
        List<String> problems = new ArrayList<>();
        check.exactOffsetsToWrite().forEach((group, offsets) -> {
            try {
                target.commitOffsets(group, offsets);
                LOG.info("Wrote exact offsets to the target flow={} group={} partitions={}", flow, group, offsets.size());
            } catch (ClusterUnreadableException e) {
                problems.add(e.getMessage());
            }
        });
        return problems;
    }

    /** Stops sampling and closes the clients; {@link #lastSample()} keeps answering. */
    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            // A sample in progress gives up at its next wait, which the interrupt cuts short.
            if (!sampler.awaitTermination(clusterTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Replication lag sampler flow={} did not stop within {}", flow, clusterTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpoints.close();
        target.close();
        source.close();
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // An exception would end the schedule; the next sample may well succeed.
            LOG.warn("Replication lag sample failed flow={} reason={}", flow, e.toString());
            LOG.debug("Replication lag sample failed", e);
        }
    }

    private void sample() {
        Instant now = Instant.now();
        EndOffsetsReading reading = readEndOffsets();
        LagSample previous = lastSample;
        if (reading.complete()) {
            lastSample = new LagSample(now, now, true, true, reading.topics(), reading.sourceOnlyTopics());
            if (previous != null && !previous.current()) {
                LOG.info("Replication lag sampled again flow={} recordsBehind={}", flow, lastSample.recordsBehind());
            }
            return;
        }
        if (previous != null) {
            lastSample = previous.failedAttempt(now, reading.sourceReachable(), reading.targetReachable());
        }
        if (previous == null || previous.current()) {
            LOG.warn("Replication lag not sampled flow={} sourceReachable={} targetReachable={} keptSampledAt={} problems={}",
                    flow, reading.sourceReachable(), reading.targetReachable(),
                    previous == null ? "none" : previous.sampledAt(), reading.problems());
        } else {
            LOG.debug("Replication lag still not sampled flow={} problems={}", flow, reading.problems());
        }
    }

    /**
     * End offsets of the replicated topics on both clusters. Each step reads the source first, so equal offsets
     * mean the target held everything the source held when the step began.
     */
    private EndOffsetsReading readEndOffsets() {
        List<String> problems = new ArrayList<>();
        Optional<Set<String>> sourceTopics = attempt(source::topicNames, problems);
        Optional<Set<String>> targetTopics = attempt(target::topicNames, problems);
        if (sourceTopics.isEmpty() || targetTopics.isEmpty()) {
            return EndOffsetsReading.failed(sourceTopics.isPresent(), targetTopics.isPresent(), problems);
        }
        SortedSet<String> replicated = ReplicatedTopicFilter.onBoth(sourceTopics.get(), targetTopics.get());
        Optional<Map<TopicPartition, Long>> sourceEnds = attempt(() -> source.endOffsets(replicated), problems);
        Optional<Map<TopicPartition, Long>> targetEnds = attempt(() -> target.endOffsets(replicated), problems);
        if (sourceEnds.isEmpty() || targetEnds.isEmpty()) {
            return EndOffsetsReading.failed(sourceEnds.isPresent(), targetEnds.isPresent(), problems);
        }
        return new EndOffsetsReading(true, true, replicated, topicLags(replicated, sourceEnds.get(), targetEnds.get()),
                List.copyOf(ReplicatedTopicFilter.onlyOnSource(sourceTopics.get(), targetTopics.get())), List.of());
    }

    private static List<TopicLag> topicLags(Set<String> topics, Map<TopicPartition, Long> sourceEnds,
                                            Map<TopicPartition, Long> targetEnds) {
        Map<String, Map<Integer, PartitionLag>> byTopic = new TreeMap<>();
        topics.forEach(topic -> byTopic.put(topic, new HashMap<>()));
        Set<TopicPartition> partitions = new HashSet<>(sourceEnds.keySet());
        partitions.addAll(targetEnds.keySet());
        for (TopicPartition partition : partitions) {
            // A partition one side lacks holds nothing there.
            PartitionLag lag = new PartitionLag(sourceEnds.getOrDefault(partition, 0L), targetEnds.getOrDefault(partition, 0L));
            byTopic.get(partition.topic()).put(partition.partition(), lag);
        }
        return byTopic.entrySet().stream().map(e -> new TopicLag(e.getKey(), e.getValue())).toList();
    }

    /**
     * The source's groups with committed offsets on the replicated topics, each partition compared with the
     * latest checkpoint, the target and both end offsets. The source is read first, so a checkpoint or target
     * offset seen equal to the source's is at least as recent.
     */
    private List<GroupSync> groupSyncs(EndOffsetsReading reading) {
        Map<TopicPartition, PartitionLag> ends = new HashMap<>();
        reading.topics().forEach(topic -> topic.partitions().forEach((partition, lag) ->
                ends.put(new TopicPartition(topic.topic(), partition), lag)));
        Map<String, Boolean> hasMembers = source.consumerGroups();
        Map<String, Map<TopicPartition, Long>> committed = source.committedOffsets(hasMembers.keySet());
        Map<String, Set<TopicPartition>> assigned = source.assignedPartitions(
                hasMembers.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList());
        Map<String, Map<TopicPartition, Long>> sourceCommitted = new TreeMap<>();
        hasMembers.keySet().forEach(group -> {
            Map<TopicPartition, Long> onReplicated = new TreeMap<>(PARTITION_ORDER);
            // A partition a member reads but the group never committed counts as committed at 0: not drained yet.
            assigned.getOrDefault(group, Set.of()).forEach(partition -> onReplicated.put(partition, 0L));
            committed.getOrDefault(group, Map.of()).forEach(onReplicated::put);
            onReplicated.keySet().removeIf(partition -> !reading.replicatedTopics().contains(partition.topic()));
            if (!onReplicated.isEmpty()) {
                sourceCommitted.put(group, onReplicated);
            }
        });
        Map<String, Map<TopicPartition, Checkpoint>> latest = checkpoints.read();
        Map<String, Map<TopicPartition, Long>> targetCommitted = target.committedOffsets(sourceCommitted.keySet());

        List<GroupSync> groups = new ArrayList<>();
        sourceCommitted.forEach((group, offsets) -> {
            Map<TopicPartition, Checkpoint> groupCheckpoints = latest.getOrDefault(group, Map.of());
            Map<TopicPartition, Long> groupOnTarget = targetCommitted.getOrDefault(group, Map.of());
            List<GroupPartitionSync> partitions = new ArrayList<>();
            offsets.forEach((partition, sourceOffset) -> {
                // With identity topic names the checkpoint's (downstream) partition is the source's partition.
                Checkpoint checkpoint = groupCheckpoints.get(partition);
                Long targetOffset = groupOnTarget.get(partition);
                PartitionLag end = ends.getOrDefault(partition, new PartitionLag(0, 0));
                partitions.add(new GroupPartitionSync(partition, sourceOffset, end.sourceEndOffset(),
                        checkpoint == null ? OptionalLong.empty() : OptionalLong.of(checkpoint.upstreamOffset()),
                        checkpoint == null ? OptionalLong.empty() : OptionalLong.of(checkpoint.downstreamOffset()),
                        targetOffset == null ? OptionalLong.empty() : OptionalLong.of(targetOffset), end.targetEndOffset()));
            });
            groups.add(new GroupSync(group, hasMembers.getOrDefault(group, true), partitions));
        });
        return groups;
    }

    private static <T> Optional<T> attempt(Supplier<T> read, List<String> problems) {
        try {
            return Optional.of(read.get());
        } catch (ClusterUnreadableException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** End offsets of the replicated topics as one sample or check read them, or what kept it from doing so. */
    private record EndOffsetsReading(boolean sourceReachable, boolean targetReachable, Set<String> replicatedTopics,
                                     List<TopicLag> topics, List<String> sourceOnlyTopics, List<String> problems) {

        static EndOffsetsReading failed(boolean sourceReachable, boolean targetReachable, List<String> problems) {
            return new EndOffsetsReading(sourceReachable, targetReachable, Set.of(), List.of(), List.of(), List.copyOf(problems));
        }

        boolean complete() {
            return sourceReachable && targetReachable;
        }
    }
}
