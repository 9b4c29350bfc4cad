package dev.switchboard.datapath;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.metrics.GatewayMetrics;
import org.apache.kafka.common.Uuid;

/**
 * Topic names by topic id, per cluster, learned from the metadata responses that pass through. Newer Produce and
 * Fetch requests name topics by id only, and the same topic has a different id on each cluster.
 *
 * <p>Bounded: past {@link #MAX_TOPICS_PER_CLUSTER} ids on one cluster, new ones are not kept, and counted as
 * dropped; an interceptor then sees the topic as unnamed.
 */
public final class TopicNames {

    static final int MAX_TOPICS_PER_CLUSTER = 200_000;

    private final Map<String, Map<Uuid, String>> byCluster = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;

    public TopicNames(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    void learn(String cluster, Uuid topicId, String name) {
        Map<Uuid, String> names = byCluster.computeIfAbsent(cluster, c -> new ConcurrentHashMap<>());
        if (names.size() >= MAX_TOPICS_PER_CLUSTER && !names.containsKey(topicId)) {
            metrics.topicNameDropped(cluster);
            return;
        }
        if (!name.equals(names.get(topicId))) {
            names.put(topicId, name);
        }
    }

    /** The topic's name on whichever cluster has a topic with that id (ids are random, so one at most), or null. */
    String nameOnAnyCluster(Uuid topicId) {
        for (Map<Uuid, String> names : byCluster.values()) {
            String name = names.get(topicId);
            if (name != null) {
                return name;
            }
        }
        return null;
    }

    /** The topic's name on {@code cluster}, or null if no metadata response through this gateway named it yet. */
    String name(String cluster, Uuid topicId) {
        Map<Uuid, String> names = byCluster.get(cluster);
        return names == null ? null : names.get(topicId);
    }
}
