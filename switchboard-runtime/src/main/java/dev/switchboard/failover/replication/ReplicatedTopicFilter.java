package dev.switchboard.failover.replication;

import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which topics count as replicated: those on both clusters, less the internal ones of Kafka, MirrorMaker 2,
 * Connect and Switchboard, whose contents mean something only on their own cluster.
 *
 * <p>Internal are names that start with {@code __} (Kafka's and Switchboard's own) or {@code mm2-} (MirrorMaker 2's
 * Connect worker and offset-sync topics), that end with {@code .internal} (checkpoints, Connect's stores) or
 * {@code .replica}, and {@code heartbeats}.
 */
public final class ReplicatedTopicFilter {

    private ReplicatedTopicFilter() {
    }

    /** True for a topic that is not internal to Kafka, MirrorMaker 2, Connect or Switchboard. */
    public static boolean isReplicable(String topic) {
        return !(topic.startsWith("__") || topic.startsWith("mm2-") || topic.endsWith(".internal")
                || topic.endsWith(".replica") || topic.equals("heartbeats"));
    }

    /** The replicable topics present on both clusters, in name order. */
    public static SortedSet<String> onBoth(Collection<String> sourceTopics, Set<String> targetTopics) {
        SortedSet<String> replicated = new TreeSet<>();
        for (String topic : sourceTopics) {
            if (isReplicable(topic) && targetTopics.contains(topic)) {
                replicated.add(topic);
            }
        }
        return replicated;
    }

    /**
     * The replicable topics on the source that the target lacks, in name order: not yet created there by
     * MirrorMaker 2, or left out by its topic filter.
     */
    public static SortedSet<String> onlyOnSource(Collection<String> sourceTopics, Set<String> targetTopics) {
        SortedSet<String> missing = new TreeSet<>();
        for (String topic : sourceTopics) {
            if (isReplicable(topic) && !targetTopics.contains(topic)) {
                missing.add(topic);
            }
        }
        return missing;
    }
}
