package dev.switchboard.chaos.faults;

import java.util.Optional;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.RequestTopics;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;

/**
 * {@code outage}: the cluster looks down to the clients in scope, while every other client is served. Param
 * {@code mode}:
 * <ul>
 *   <li>{@code close} (default): a new connection is closed at its first request, its ApiVersions, before any answer,
 *       as by a broker that is not there; connections already open in scope are closed the moment the rule is live,
 *       so an idle client finds out as soon as it next looks. Clients see disconnects, retry with backoff, and their
 *       calls time out. Closes are counted under cause {@code chaos_outage}.</li>
 *   <li>{@code blackhole}: connections are accepted and never answered, as by a hung broker or a dropped route:
 *       every request in scope waits until the client's request timeout expires, and nothing after it on that
 *       connection is answered either.</li>
 * </ul>
 * A rule with {@code scope.topic} takes a connection away only at a request about one of its topics (Produce, Fetch).
 * Once the rule is gone, new connections are served again.
 *
 * <p>Param {@code triggersFailover} (default false): the outage is made here, in the gateway, so the brokers stay
 * healthy and the health verdict, which asks the brokers, would never see it. With {@code true}, a live rule that can
 * reach the whole active cluster (no topic, group, client or address scope) judges that cluster down, so a drill can
 * exercise the alert and the automatic failover with its veto window.
 */
public final class Outage implements Fault {

    public static final FaultType TYPE = new FaultType("outage",
            "The cluster looks down: connections closed at their first request (mode close) or never answered (blackhole)",
            Outage::parse);

    /** The label outage closes are counted under in {@code switchboard_connections_closed_total}. */
    public static final String CLOSE_CAUSE = "chaos_outage";

    private static final Interest EVERY_REQUEST = Interest.allRequests();

    private final boolean blackhole;
    private final boolean triggersFailover;

    Outage(boolean blackhole, boolean triggersFailover) {
        this.blackhole = blackhole;
        this.triggersFailover = triggersFailover;
    }

    static Outage parse(Params params) {
        return new Outage(params.choice("mode", "close", "close", "blackhole").equals("blackhole"),
                params.bool("triggersFailover", false));
    }

    @Override
    public boolean simulatesClusterDown() {
        return triggersFailover;
    }

    @Override
    public Interest interest() {
        return EVERY_REQUEST;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request) || !RequestTopics.anyInScope(request, context) || !context.hit()) {
            return RequestAction.forward();
        }
        return blackhole ? RequestAction.drop() : RequestAction.close(CLOSE_CAUSE, "chaos: outage");
    }

    @Override
    public Optional<String> closesOpenConnections() {
        return blackhole ? Optional.empty() : Optional.of(CLOSE_CAUSE);
    }
}
