package dev.switchboard.chaos.faults;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.RequestTopics;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * {@code rebalance}: members of the consumer groups in scope are told to rejoin, at the rule's rate, so a team sees how
 * long its consumers stop reading while their group rebalances. Classic members get REBALANCE_IN_PROGRESS on a
 * Heartbeat or OffsetCommit and rejoin; when the member rejoining leads its group (as a group's only member does),
 * the group moves to a new generation, and the others follow on their next heartbeat. Members of the consumer
 * protocol (KIP-848, {@code group.protocol=consumer}) get FENCED_MEMBER_EPOCH on a ConsumerGroupHeartbeat: they lose
 * their partitions and rejoin with a new epoch, as after a broker fenced them. A member joining (epoch 0) or leaving
 * (epoch -1 or -2) is never told so, and an OffsetCommit outside a generation (an admin's) is left alone.
 *
 * <p>Params: {@code apis}, the APIs answered, default {@code [Heartbeat, OffsetCommit, ConsumerGroupHeartbeat]}.
 * Groups are chosen by {@code scope.group}; these requests name no topic (as chaos rules read topics), so a rule with
 * {@code scope.topic} is refused rather than left never acting.
 */
public final class Rebalance implements Fault {

    public static final FaultType TYPE = new FaultType("rebalance",
            "Consumer group members told to rejoin: REBALANCE_IN_PROGRESS (classic) or FENCED_MEMBER_EPOCH (KIP-848)",
            FaultType.TopicScope.REFUSED, Rebalance::parse);

    private static final List<ApiKeys> APIS = List.of(ApiKeys.HEARTBEAT, ApiKeys.OFFSET_COMMIT, ApiKeys.CONSUMER_GROUP_HEARTBEAT);

    private final Set<ApiKeys> apis;
    private final Interest interest;

    Rebalance(Set<ApiKeys> apis) {
        this.apis = apis;
        // A consumer-protocol member's commits are told apart by its heartbeats on the same connection.
        Interest answered = Interest.requests(apis.toArray(ApiKeys[]::new));
        this.interest = apis.contains(ApiKeys.OFFSET_COMMIT) ? answered.andRequests(ApiKeys.CONSUMER_GROUP_HEARTBEAT) : answered;
    }

    static Rebalance parse(Params params) {
        List<ApiKeys> named = params.apis("apis");
        for (ApiKeys api : named) {
            if (!APIS.contains(api)) {
                throw params.invalid("apis", api.name + " is not an API rebalance answers; use one or more of "
                        + APIS.stream().map(known -> known.name).toList());
            }
        }
        return new Rebalance(named.isEmpty() ? EnumSet.copyOf(APIS) : EnumSet.copyOf(named));
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        Errors rejoin = switch (request.apiKey()) {
            case HEARTBEAT -> Errors.REBALANCE_IN_PROGRESS;
            case OFFSET_COMMIT -> classicMembersCommit(request, context) ? Errors.REBALANCE_IN_PROGRESS : null;
            case CONSUMER_GROUP_HEARTBEAT -> stableMembersHeartbeat(request, context) ? Errors.FENCED_MEMBER_EPOCH : null;
            default -> null;
        };
        if (rejoin == null || !apis.contains(request.apiKey()) || !context.groupInScope(request)
                || !RequestTopics.anyInScope(request, context) || !context.hit()) {
            return RequestAction.forward();
        }
        return RequestAction.answerError(rejoin, "chaos: rebalance");
    }

    /**
     * A commit in a generation, from a connection that never spoke the consumer protocol: such a member would take
     * REBALANCE_IN_PROGRESS as an unexpected error, since its coordinator answers STALE_MEMBER_EPOCH instead.
     */
    private static boolean classicMembersCommit(InterceptedRequest request, FaultContext context) {
        return ((OffsetCommitRequestData) request.message()).generationIdOrMemberEpoch() > 0
                && !context.connectionState(ConsumerProtocol::new).seen;
    }

    private static boolean stableMembersHeartbeat(InterceptedRequest request, FaultContext context) {
        context.connectionState(ConsumerProtocol::new).seen = true;
        return ((ConsumerGroupHeartbeatRequestData) request.message()).memberEpoch() > 0;
    }

    /** Whether this connection sent a ConsumerGroupHeartbeat. */
    private static final class ConsumerProtocol {
        boolean seen;
    }
}
