package dev.switchboard.chaos.faults;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.RequestGroups;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * GROUP_AUTHORIZATION_FAILED on the groups in a rule's scope, as a broker answers a group its ACLs do not allow. A
 * batched request (FindCoordinator from v4, OffsetFetch from v8) has only its groups in scope refused: the others go to
 * the broker and the refused ones are added to its response.
 */
final class GroupDenial {

    private static final Errors DENIED = Errors.GROUP_AUTHORIZATION_FAILED;
    private static final short BATCHED_FIND_COORDINATOR = 4;
    private static final short BATCHED_OFFSET_FETCH = 8;

    private GroupDenial() {
    }

    static RequestAction apply(InterceptedRequest request, FaultContext context, String message) {
        return switch (request.apiKey()) {
            case FIND_COORDINATOR -> findCoordinator(request, context, message);
            case OFFSET_FETCH -> request.apiVersion() >= BATCHED_OFFSET_FETCH ? offsetFetchGroups(request, context, message)
                    : oneGroup(request, context, message);
            default -> oneGroup(request, context, message);
        };
    }

    private static RequestAction oneGroup(InterceptedRequest request, FaultContext context, String message) {
        boolean inScope = RequestGroups.of(request).filter(context::groupInScope).isPresent();
        return inScope && context.hit() ? RequestAction.answerError(DENIED, message) : RequestAction.forward();
    }

    private static RequestAction findCoordinator(InterceptedRequest request, FaultContext context, String message) {
        FindCoordinatorRequestData find = (FindCoordinatorRequestData) request.message();
        if (find.keyType() != CoordinatorType.GROUP.id()) {
            return RequestAction.forward();
        }
        if (request.apiVersion() < BATCHED_FIND_COORDINATOR) {
            return context.groupInScope(find.key()) && context.hit() ? RequestAction.answerError(DENIED, message)
                    : RequestAction.forward();
        }
        return some(request, context, message, find.coordinatorKeys(), key -> key, (response, key) ->
                ((FindCoordinatorResponseData) response).coordinators()
                        .add(FindCoordinatorResponse.prepareCoordinatorResponse(DENIED, key, Node.noNode()).setErrorMessage(message)));
    }

    private static RequestAction offsetFetchGroups(InterceptedRequest request, FaultContext context, String message) {
        OffsetFetchRequestData fetch = (OffsetFetchRequestData) request.message();
        return some(request, context, message, fetch.groups(), OffsetFetchRequestData.OffsetFetchRequestGroup::groupId,
                (response, group) -> ((OffsetFetchResponseData) response).groups()
                        .add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId())
                                .setErrorCode(DENIED.code())));
    }

    /**
     * Refuses the entries of {@code entries} whose group is in scope: the whole request when they all are, else only
     * those, removed from the request and each answered by {@code answer} in the broker's response.
     */
    private static <T> RequestAction some(InterceptedRequest request, FaultContext context, String message, List<T> entries,
                                          Function<T, String> group, BiConsumer<ApiMessage, T> answer) {
        List<T> denied = entries.stream().filter(entry -> context.groupInScope(group.apply(entry))).toList();
        if (denied.isEmpty() || !context.hit()) {
            return RequestAction.forward();
        }
        if (denied.size() == entries.size()) {
            return RequestAction.answerError(DENIED, message);
        }
        entries.removeAll(denied);
        context.changeResponse(request.header().correlationId(), request.apiKey(),
                response -> denied.forEach(entry -> answer.accept(response, entry)));
        return RequestAction.forwardModified();
    }
}
