package dev.switchboard.chaos;

import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** A rule in force at this instance, with what it has matched and affected here. Shared by every event loop. */
final class LiveRule {

    private final FaultRule rule;
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong affected = new AtomicLong();
    private final Random random;
    private final Counter matchedCounter;
    private final Counter affectedCounter;
    private final Runnable exhausted;
    private final long threshold;

    /** @param exhausted called once, when the rule has affected its {@code maxHits}th request */
    LiveRule(FaultRule rule, MeterRegistry registry, Runnable exhausted) {
        this.rule = rule;
        this.random = new Random(rule.seed());
        this.exhausted = exhausted;
        this.matchedCounter = counter(registry, "matched");
        this.affectedCounter = counter(registry, "affected");
        // The share of 2^53 below which a roll hits: exact at 0 and 100.
        this.threshold = (long) Math.ceil(rule.rate() / 100.0 * (1L << 53));
    }

    private Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("switchboard.chaos.requests").description("Requests and responses in a chaos rule's scope (matched) "
                + "and those its fault acted on (affected)").tag("rule", rule.name()).tag("outcome", outcome).register(registry);
    }

    FaultRule rule() {
        return rule;
    }

    /** In its window and below its hit limit. */
    boolean live(Instant now) {
        return rule.lifetime().started(now) && !rule.lifetime().expired(now) && affected.get() < rule.lifetime().maxHits();
    }

    /**
     * One frame in scope. The nth one is hit when a hash of the seed and n falls below the rate, so the same seed hits
     * the same matched requests, whichever event loop sees them.
     */
    boolean hit() {
        long n = matched.getAndIncrement();
        matchedCounter.increment();
        if ((mix(rule.seed() + n * 0x9E3779B97F4A7C15L) >>> 11) >= threshold) {
            return false;
        }
        long count = affected.incrementAndGet();
        if (count > rule.lifetime().maxHits()) {
            return false;
        }
        affectedCounter.increment();
        if (count == rule.lifetime().maxHits()) {
            exhausted.run();
        }
        return true;
    }

    Random random() {
        return random;
    }

    long matched() {
        return matched.get();
    }

    long affected() {
        return Math.min(affected.get(), rule.lifetime().maxHits());
    }

    void unregister(MeterRegistry registry) {
        registry.remove(matchedCounter);
        registry.remove(affectedCounter);
    }

    /** SplitMix64's finaliser: every bit of the input moves every bit of the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
