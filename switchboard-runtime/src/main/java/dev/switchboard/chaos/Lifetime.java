package dev.switchboard.chaos;

import java.time.Duration;
import java.time.Instant;

import dev.switchboard.config.Durations;

/**
 * When a rule acts: from {@code startsAt} until {@code expiresAt} ({@link Instant#MAX} for {@code duration:
 * unlimited}), for at most {@code maxHits} affected requests ({@link Long#MAX_VALUE} for no limit).
 *
 * @param duration the duration as the rule gives it, or as defaulted: {@code 60s}, {@code unlimited}
 */
public record Lifetime(Instant startsAt, Instant expiresAt, long maxHits, String duration) {

    public static final String UNLIMITED = "unlimited";

    public static Lifetime of(Instant startsAt, Duration duration, long maxHits) {
        return new Lifetime(startsAt, startsAt.plus(duration), maxHits, Durations.format(duration));
    }

    public static Lifetime unlimited(Instant startsAt, long maxHits) {
        return new Lifetime(startsAt, Instant.MAX, maxHits, UNLIMITED);
    }

    public boolean started(Instant now) {
        return !now.isBefore(startsAt);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public boolean limitsHits() {
        return maxHits != Long.MAX_VALUE;
    }
}
