package dev.switchboard.failover;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import io.micrometer.core.instrument.Counter;

/**
 * What failover remembers per client or group member, with when each was last seen, kept to a bound. Past the bound the
 * least recently seen tenth is forgotten at once, each counted, so a stream of fresh client ids costs a scan now and
 * then, not memory. Keys a failover still needs are ones seen lately, which is why the oldest go first.
 *
 * @param <K> who is remembered
 * @param <V> what is remembered of them
 */
final class LastSeen<K, V> {

    private record Entry<V>(V value, long seenMillis) {
    }

    private final Clock clock;
    private final int max;
    private final Counter dropped;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    LastSeen(Clock clock, int max, Counter dropped) {
        if (max < 10) {
            throw new IllegalArgumentException("a bound of " + max + " is too small to forget a tenth of; at least 10");
        }
        this.clock = clock;
        this.max = max;
        this.dropped = dropped;
    }

    /** Remembers {@code value} for {@code key}, seen now; returns what was remembered before, or null. */
    V put(K key, V value) {
        Entry<V> previous = entries.put(key, new Entry<>(value, clock.millis()));
        if (previous == null && entries.size() > max) {
            forgetOldest();
        }
        return previous == null ? null : previous.value();
    }

    /**
     * Remembers {@code value} for {@code key} unless something is; either way {@code key} counts as seen now. Atomic, so
     * a {@link #put} racing it on another connection is never overwritten with the older value.
     */
    void putIfAbsent(K key, V value) {
        long now = clock.millis();
        entries.compute(key, (k, known) -> new Entry<>(known == null ? value : known.value(), now));
        if (entries.size() > max) {
            forgetOldest();
        }
    }

    V get(K key) {
        Entry<V> entry = entries.get(key);
        return entry == null ? null : entry.value();
    }

    void remove(K key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }

    void clear() {
        entries.clear();
    }

    /** Each key seen at or after {@code sinceMillis}, with its value. */
    void forEachSeenSince(long sinceMillis, BiConsumer<K, V> action) {
        entries.forEach((key, entry) -> {
            if (entry.seenMillis() >= sinceMillis) {
                action.accept(key, entry.value());
            }
        });
    }

    /** Rare, so a sort is fine; it makes room for a tenth of the bound at once. */
    private synchronized void forgetOldest() {
        int excess = entries.size() - max * 9 / 10;
        if (entries.size() <= max || excess <= 0) {
            return;
        }
        entries.entrySet().stream()
                .sorted((a, b) -> Long.compare(a.getValue().seenMillis(), b.getValue().seenMillis()))
                .limit(excess).map(Map.Entry::getKey).toList()
                .forEach(key -> {
                    if (entries.remove(key) != null) {
                        dropped.increment();
                    }
                });
    }
}
