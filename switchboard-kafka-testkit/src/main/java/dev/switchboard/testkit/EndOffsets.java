package dev.switchboard.testkit;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/**
 * End offsets of the same topics on the source and on the target of a replication flow, per partition.
 *
 * <p>Failover may move clients only once the target holds everything the source holds. With identity topic
 * names, and topics that only MirrorMaker 2 writes on the target, equal end offsets per partition say exactly
 * that. They never become equal for a partition that holds transaction markers (MirrorMaker 2 copies records,
 * not markers), and they part for good once MirrorMaker 2 wrote a record twice, which its at-least-once delivery
 * allows; {@link #lag()} shows which partitions differ and by how much.
 *
 * @param source end offset of every partition of the topics on the source
 * @param target end offset of every partition of those topics that exist on the target
 */
public record EndOffsets(Map<TopicPartition, Long> source, Map<TopicPartition, Long> target) {

    // Sorted, so that a failed assertion or a log line reads partition by partition.
    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    public EndOffsets {
        source = sorted(source);
        target = sorted(target);
    }

    /** True when the target has exactly the source's partitions, each with the source's end offset. */
    public boolean caughtUp() {
        return source.equals(target);
    }

    /**
     * For each source partition, how far the target's end offset is behind: the whole source end offset when
     * the target lacks the partition, negative when the target is ahead.
     */
    public Map<TopicPartition, Long> lag() {
        Map<TopicPartition, Long> lag = new TreeMap<>(ORDER);
        source.forEach((partition, end) -> lag.put(partition, end - target.getOrDefault(partition, 0L)));
        return Collections.unmodifiableMap(lag);
    }

    private static Map<TopicPartition, Long> sorted(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, Long> sorted = new TreeMap<>(ORDER);
        sorted.putAll(offsets);
        return Collections.unmodifiableMap(sorted);
    }
}
