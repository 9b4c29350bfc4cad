package dev.switchboard.chaos.faults;

import java.time.Duration;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.RequestTopics;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.RequestAction;

/** A delay between {@code min} and {@code max}, uniform, drawn from the rule's random source. */
record DelayRange(Duration min, Duration max) {

    static final Duration MAX = Duration.ofMinutes(5);

    /** {@code min} and {@code max} from params, each at most five minutes, min not above max. */
    static DelayRange parse(Params params, Duration defaultMin, Duration defaultMax) {
        Duration min = params.duration("min", defaultMin);
        Duration max = params.duration("max", defaultMax);
        if (max.compareTo(MAX) > 0) {
            throw params.invalid("max", "must be at most " + MAX.toMinutes() + " minutes");
        }
        if (min.compareTo(max) > 0) {
            throw params.invalid("min", "must not be above max (" + max.toMillis() + "ms), was " + min.toMillis() + "ms");
        }
        return new DelayRange(min, max);
    }

    /** Delays a request in the rule's topic and group scope, when the rule hits it. */
    RequestAction apply(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request) || !RequestTopics.anyInScope(request, context) || !context.hit()) {
            return RequestAction.forward();
        }
        long spread = max.toNanos() - min.toNanos();
        long nanos = min.toNanos() + (spread == 0 ? 0 : (long) (context.random().nextDouble() * (spread + 1)));
        return RequestAction.delay(Duration.ofNanos(nanos), RequestAction.forward());
    }
}
