package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps consumers from a rewind MirrorMaker 2 may write after a planned switchover. The switchover writes each
 * drained group's exact offsets to the target itself ({@link ExactGroupOffsets}) rather than wait for MirrorMaker 2.
 * But MirrorMaker 2 syncs a group from a snapshot of the target taken earlier (KAFKA-19794): until the group has
 * members on the target, its next sync can write its own translation back, which falls short of the end until it
 * has written the offset sync of the last record. A consumer that then fetched its committed offsets would read
 * records again.
 *
 * <p>So for a while after the switch, an OffsetFetch answer from the new cluster that is below the exact offset is
 * raised to it, and counted in {@code switchboard_failover_offsets_restored_total}. A partition is guarded until the
 * group commits it through this instance, or {@link #GUARD_FOR} after the switch: by then its members have joined
 * and committed, and MirrorMaker 2 can no longer write a group that has members.
 */
public final class CommittedOffsetsGuard implements InterceptorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(CommittedOffsetsGuard.class);

    static final Duration GUARD_FOR = Duration.ofSeconds(60);
    /** Before version 8 an OffsetFetch names one group, in the request only. */
    private static final short FIRST_BATCHED_VERSION = 8;
    private static final Interest OFFSETS = Interest.requests(ApiKeys.OFFSET_FETCH, ApiKeys.OFFSET_COMMIT)
            .andResponses(ApiKeys.OFFSET_FETCH);

    /** What one switch guards: on which cluster, until when, and the offsets not committed since. */
    private record Guarded(String cluster, long untilMillis, Map<String, Map<TopicPartition, Long>> offsets) {
    }

    private final Clock clock;
    private final Counter restored;
    private volatile Guarded guarded;

    public CommittedOffsetsGuard(Clock clock, MeterRegistry registry) {
        this.clock = clock;
        this.restored = Counter.builder("switchboard.failover.offsets.restored")
                .description("Committed offsets an OffsetFetch answer gave below the exact offset a planned switchover wrote, raised to it")
                .register(registry);
    }

    /** A switch to {@code cluster} applied; guards what its planned switchover found exact, nothing if null. */
    public void switched(String cluster, ExactGroupOffsets exact) {
        if (exact == null || exact.none()) {
            guarded = null;
            return;
        }
        Map<String, Map<TopicPartition, Long>> offsets = new ConcurrentHashMap<>();
        exact.groups().forEach((group, topics) -> {
            Map<TopicPartition, Long> partitions = new ConcurrentHashMap<>();
            topics.forEach((topic, byPartition) -> byPartition.forEach((partition, offset) ->
                    partitions.put(new TopicPartition(topic, partition), offset)));
            offsets.put(group, partitions);
        });
        guarded = new Guarded(cluster, clock.millis() + GUARD_FOR.toMillis(), offsets);
        LOG.info("Guarding {} exact group offsets on cluster {} for {} s", exact.count(), cluster, GUARD_FOR.toSeconds());
    }

    private Guarded active(ConnectionContext context) {
        Guarded current = guarded;
        if (current == null || clock.millis() > current.untilMillis()) {
            return null;
        }
        return context.servingCluster().filter(current.cluster()::equals).isPresent() ? current : null;
    }

    @Override
    public String name() {
        return "committed-offsets-guard";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Interceptor() {
            /** Groups of the unbatched OffsetFetch requests in flight, by correlation id. */
            private final Map<Integer, String> groupOfFetch = new HashMap<>();

            @Override
            public Interest interest() {
                Guarded current = guarded;
                return current != null && clock.millis() <= current.untilMillis() ? OFFSETS : Interest.NONE;
            }

            @Override
            public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                Guarded current = active(context);
                if (current == null) {
                    return RequestAction.forward();
                }
                if (request.apiKey() == ApiKeys.OFFSET_COMMIT) {
                    committed((OffsetCommitRequestData) request.message(), current, context);
                } else if (request.apiVersion() < FIRST_BATCHED_VERSION) {
                    groupOfFetch.put(request.header().correlationId(), ((OffsetFetchRequestData) request.message()).groupId());
                }
                return RequestAction.forward();
            }

            @Override
            public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                String unbatchedGroup = groupOfFetch.remove(response.correlationId());
                Guarded current = active(context);
                if (current == null) {
                    return ResponseAction.forward();
                }
                OffsetFetchResponseData fetched = (OffsetFetchResponseData) response.message();
                int raised = 0;
                if (response.apiVersion() < FIRST_BATCHED_VERSION) {
                    Map<TopicPartition, Long> exact = unbatchedGroup == null ? null : current.offsets().get(unbatchedGroup);
                    if (exact != null) {
                        for (OffsetFetchResponseData.OffsetFetchResponseTopic topic : fetched.topics()) {
                            for (OffsetFetchResponseData.OffsetFetchResponsePartition partition : topic.partitions()) {
                                Long offset = exact.get(new TopicPartition(topic.name(), partition.partitionIndex()));
                                if (offset != null && partition.errorCode() == Errors.NONE.code() && partition.committedOffset() < offset) {
                                    partition.setCommittedOffset(offset).setCommittedLeaderEpoch(-1);
                                    raised++;
                                }
                            }
                        }
                    }
                    return restoredIn(unbatchedGroup, raised, context);
                }
                for (OffsetFetchResponseData.OffsetFetchResponseGroup group : fetched.groups()) {
                    Map<TopicPartition, Long> exact = current.offsets().get(group.groupId());
                    if (exact == null || group.errorCode() != Errors.NONE.code()) {
                        continue;
                    }
                    int raisedInGroup = 0;
                    for (OffsetFetchResponseData.OffsetFetchResponseTopics topic : group.topics()) {
                        String name = context.topicName(topic.name(), topic.topicId()).orElse(null);
                        for (OffsetFetchResponseData.OffsetFetchResponsePartitions partition : topic.partitions()) {
                            Long offset = name == null ? null : exact.get(new TopicPartition(name, partition.partitionIndex()));
                            if (offset != null && partition.errorCode() == Errors.NONE.code() && partition.committedOffset() < offset) {
                                partition.setCommittedOffset(offset).setCommittedLeaderEpoch(-1);
                                raisedInGroup++;
                            }
                        }
                    }
                    restoredIn(group.groupId(), raisedInGroup, context);
                    raised += raisedInGroup;
                }
                return raised > 0 ? ResponseAction.forwardModified() : ResponseAction.forward();
            }

            @Override
            public void connectionClosed(ConnectionContext context) {
                groupOfFetch.clear();
            }
        };
    }

    /** What the group commits after the switch is its own again. */
    private static void committed(OffsetCommitRequestData commit, Guarded current, ConnectionContext context) {
        Map<TopicPartition, Long> exact = current.offsets().get(commit.groupId());
        if (exact == null) {
            return;
        }
        commit.topics().forEach(topic -> {
            String name = context.topicName(topic.name(), topic.topicId()).orElse(null);
            if (name != null) {
                topic.partitions().forEach(partition -> exact.remove(new TopicPartition(name, partition.partitionIndex())));
            }
        });
        if (exact.isEmpty()) {
            current.offsets().remove(commit.groupId());
        }
    }

    private ResponseAction restoredIn(String group, int raised, ConnectionContext context) {
        if (raised == 0) {
            return ResponseAction.forward();
        }
        restored.increment(raised);
        LOG.warn("Group {}: the new cluster answered {} committed offsets below the exact offsets the planned switchover wrote"
                + " (MirrorMaker 2 synced the group again, KAFKA-19794); clientId={} gets the exact ones", group, raised, context.clientId());
        return ResponseAction.forwardModified();
    }

    /** The groups still guarded, for tests. */
    Set<String> guardedGroups() {
        Guarded current = guarded;
        return current == null ? Set.of() : Set.copyOf(current.offsets().keySet());
    }
}
