package dev.switchboard.failover;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

/**
 * The group offsets a planned switchover found exact on the target when it switched: group, then topic, then
 * partition, to offset. Carried in the switch state so that every instance can keep consumers from a rewind that
 * MirrorMaker 2 may still write there ({@link CommittedOffsetsGuard}).
 *
 * @param groups     the offsets, at most {@link #MAX_PARTITIONS} of them
 * @param leftOut    offsets found exact but left out, past {@link #MAX_PARTITIONS}
 */
public record ExactGroupOffsets(Map<String, Map<String, Map<Integer, Long>>> groups, int leftOut) {

    /** Enough for hundreds of groups over busy topics, and small enough for one record of the switch-state topic. */
    static final int MAX_PARTITIONS = 10_000;

    public ExactGroupOffsets {
        groups = groups == null ? Map.of() : groups;
    }

    /** The offsets of {@code byGroup}, the first {@link #MAX_PARTITIONS} of them in group and partition order. */
    public static ExactGroupOffsets of(Map<String, Map<TopicPartition, Long>> byGroup) {
        Map<String, Map<String, Map<Integer, Long>>> groups = new TreeMap<>();
        int kept = 0;
        int leftOut = 0;
        for (Map.Entry<String, Map<TopicPartition, Long>> group : new TreeMap<>(byGroup).entrySet()) {
            for (Map.Entry<TopicPartition, Long> offset : group.getValue().entrySet()) {
                if (kept == MAX_PARTITIONS) {
                    leftOut++;
                    continue;
                }
                kept++;
                groups.computeIfAbsent(group.getKey(), g -> new TreeMap<>())
                        .computeIfAbsent(offset.getKey().topic(), t -> new TreeMap<>())
                        .put(offset.getKey().partition(), offset.getValue());
            }
        }
        return new ExactGroupOffsets(groups, leftOut);
    }

    /** The exact offset of the group in that partition, if the switch found one. */
    public OptionalLong offset(String group, String topic, int partition) {
        Long offset = groups.getOrDefault(group, Map.of()).getOrDefault(topic, Map.of()).get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    public boolean none() {
        return groups.isEmpty();
    }

    public int count() {
        return groups.values().stream().flatMap(topics -> topics.values().stream()).mapToInt(Map::size).sum();
    }
}
