package dev.switchboard.datapath;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.Uuid;

/**
 * Topic names by topic id, per cluster, learned from the metadata responses that pass through. Newer Produce and
 * Fetch requests name topics by id only, and the same topic has a different id on each cluster.
 */
public final class TopicNames {

    private final Map<String, Map<Uuid, String>> byCluster = new ConcurrentHashMap<>();

    void learn(String cluster, Uuid topicId, String name) {
        byCluster.computeIfAbsent(cluster, c -> new ConcurrentHashMap<>()).put(topicId, name);
    }

    /** The topic's name on {@code cluster}, or null if no metadata response through this gateway named it yet. */
    String name(String cluster, Uuid topicId) {
        Map<Uuid, String> names = byCluster.get(cluster);
        return names == null ? null : names.get(topicId);
    }
}
