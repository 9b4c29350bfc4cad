package dev.switchboard.health;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;

/**
 * What one cluster's brokers answered to produce requests, counted per partition since the gateway started, and the
 * topics produced to. Written from every event loop without locks; read by the judge as cumulative snapshots.
 */
final class ProduceOutcomes {

    /** A bound on the topics kept per cluster for the leader check; more are counted, not kept. */
    static final int MAX_TOPICS = 1000;

    /** The counts at one moment. */
    record Snapshot(long partitions, long errored, Map<String, Long> byError) {
    }

    private final LongAdder partitions = new LongAdder();
    private final LongAdder errored = new LongAdder();
    private final Map<String, LongAdder> byError = new ConcurrentHashMap<>();
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final Counter topicsDropped;

    ProduceOutcomes(Counter topicsDropped) {
        this.topicsDropped = topicsDropped;
    }

    void answered(String topic, String error) {
        partitions.increment();
        if (error != null) {
            errored.increment();
            byError.computeIfAbsent(error, e -> new LongAdder()).increment();
        }
        if (topic != null && !topics.contains(topic)) {
            if (topics.size() < MAX_TOPICS) {
                topics.add(topic);
            } else {
                topicsDropped.increment();
            }
        }
    }

    Set<String> topics() {
        return Set.copyOf(topics);
    }

    Snapshot snapshot() {
        Map<String, Long> errors = new TreeMap<>();
        byError.forEach((error, count) -> errors.put(error, count.sum()));
        return new Snapshot(partitions.sum(), errored.sum(), errors);
    }
}
