package dev.switchboard.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one consumer group did with what producers had acknowledged: records lost (acknowledged, never read)
 * and records read more than once, with when each copy was read.
 *
 * @param lost       acknowledged values the group never read
 * @param duplicated values the group read more than once, each with the times (epoch millis) it read them, earliest
 *                   first, whichever member read them
 * @param reads      every read of each duplicated value, earliest first, for a failure message that says who read
 *                   what where
 */
public record Ledger(Set<String> lost, Map<String, List<Long>> duplicated, Map<String, List<GroupMember.Consumed>> reads) {

    public static Ledger of(Collection<String> acknowledged, Collection<GroupMember.Consumed> consumed) {
        Map<String, List<Long>> readAt = new HashMap<>();
        Map<String, List<GroupMember.Consumed>> readsOf = new HashMap<>();
        for (GroupMember.Consumed record : consumed) {
            readAt.computeIfAbsent(record.value(), v -> new ArrayList<>()).add(record.atMillis());
            readsOf.computeIfAbsent(record.value(), v -> new ArrayList<>()).add(record);
        }
        Set<String> lost = new TreeSet<>();
        for (String value : acknowledged) {
            if (!readAt.containsKey(value)) {
                lost.add(value);
            }
        }
        Map<String, List<Long>> duplicated = new TreeMap<>();
        Map<String, List<GroupMember.Consumed>> reads = new TreeMap<>();
        readAt.forEach((value, times) -> {
            if (times.size() > 1) {
                // Sorted: the members' reads arrive member by member, and "first read" must mean the earliest.
                duplicated.put(value, times.stream().sorted().toList());
                reads.put(value, readsOf.get(value).stream().sorted(Comparator.comparingLong(GroupMember.Consumed::atMillis)).toList());
            }
        });
        return new Ledger(lost, duplicated, reads);
    }

    /** Extra copies read, over all duplicated values. */
    public long extraCopies() {
        return duplicated.values().stream().mapToLong(times -> times.size() - 1).sum();
    }
}
