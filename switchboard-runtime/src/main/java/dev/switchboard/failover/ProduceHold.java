package dev.switchboard.failover;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The produce hold of a planned switchover: while replication catches up, produce requests wait at the gateway, and
 * the requests after them on the same connection wait behind them. When the hold ends, by the switch, by its
 * release, or at its deadline, they go on to the interceptors after this one and to the cluster active then.
 * With no hold, this interceptor is interested in nothing.
 */
public final class ProduceHold implements InterceptorFactory, Interceptor {

    private static final Interest PRODUCE = Interest.requests(ApiKeys.PRODUCE);
    /** The soonest a deadline is checked again, should the clock say it has not come when the timer fires. */
    private static final long MIN_RECHECK_MILLIS = 10;

    /** One hold: until when at the latest, and the signal of its end. */
    private record Hold(long untilMillis, CompletableFuture<RequestAction> ended) {
    }

    private final Clock clock;
    private volatile Hold current;

    public ProduceHold(Clock clock) {
        this.clock = clock;
    }

    /**
     * Produce requests wait from now until {@code until}, or until {@link #release()}. A hold that is already on is
     * extended: what waits on it keeps waiting, to the new deadline.
     */
    public synchronized void hold(Instant until) {
        Hold previous = current;
        CompletableFuture<RequestAction> ended = previous != null && !previous.ended().isDone()
                ? previous.ended() : new CompletableFuture<>();
        Hold hold = new Hold(until.toEpochMilli(), ended);
        current = hold;
        expireAtDeadline(hold);
    }

    /** Ends the hold: what waited goes on. */
    public synchronized void release() {
        Hold previous = current;
        current = null;
        if (previous != null) {
            previous.ended().complete(RequestAction.forward());
        }
    }

    private void expireAtDeadline(Hold hold) {
        long waitMillis = Math.max(MIN_RECHECK_MILLIS, hold.untilMillis() - clock.millis());
        CompletableFuture.delayedExecutor(waitMillis, TimeUnit.MILLISECONDS).execute(() -> expire(hold));
    }

    /**
     * A hold that nobody released ends at its deadline, so an instance whose switch was abandoned does not keep
     * producers waiting; one that was extended or replaced meanwhile has its own deadline.
     */
    private synchronized void expire(Hold hold) {
        if (current != hold) {
            return;
        }
        if (clock.millis() < hold.untilMillis()) {
            expireAtDeadline(hold);
            return;
        }
        release();
    }

    public boolean holding() {
        Hold hold = current;
        return hold != null && clock.millis() < hold.untilMillis();
    }

    @Override
    public String name() {
        return "produce-hold";
    }

    /** Keeps no per-connection state, so every connection shares this one. */
    @Override
    public Interceptor create(ConnectionContext connection) {
        return this;
    }

    @Override
    public Interest interest() {
        return holding() ? PRODUCE : Interest.NONE;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
        Hold hold = current;
        if (hold == null || clock.millis() >= hold.untilMillis()) {
            return RequestAction.forward();
        }
        return RequestAction.later(hold.ended());
    }
}
