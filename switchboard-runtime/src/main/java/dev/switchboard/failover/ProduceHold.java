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

    /** One hold: until when at the latest, and the signal of its end. */
    private record Hold(long untilMillis, CompletableFuture<RequestAction> ended) {
    }

    private final Clock clock;
    private volatile Hold current;

    public ProduceHold(Clock clock) {
        this.clock = clock;
    }

    /** Produce requests wait from now until {@code until}, or until {@link #release()}. */
    public synchronized void hold(Instant until) {
        Hold previous = current;
        long waitMillis = Math.max(0, until.toEpochMilli() - clock.millis());
        CompletableFuture<RequestAction> ended = previous != null ? previous.ended() : new CompletableFuture<>();
        ended.completeOnTimeout(RequestAction.forward(), waitMillis, TimeUnit.MILLISECONDS);
        current = new Hold(until.toEpochMilli(), ended);
    }

    /** Ends the hold: what waited goes on. */
    public synchronized void release() {
        Hold previous = current;
        current = null;
        if (previous != null) {
            previous.ended().complete(RequestAction.forward());
        }
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
