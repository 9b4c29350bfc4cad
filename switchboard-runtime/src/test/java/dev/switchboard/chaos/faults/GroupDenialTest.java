package dev.switchboard.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.support.StubRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.junit.jupiter.api.Test;

/** Which groups of a request are refused: one named group, and batched FindCoordinator and OffsetFetch group by group. */
class GroupDenialTest {

    private final Scope scope = new Scope(Set.of("billing"));

    @Test
    void aRequestNamingAGroupInScopeIsAnsweredWithGroupAuthorizationFailed() {
        RequestAction refused = GroupDenial.apply(request(ApiKeys.JOIN_GROUP, 9, new JoinGroupRequestData().setGroupId("billing")),
                scope, "denied");
        RequestAction served = GroupDenial.apply(request(ApiKeys.JOIN_GROUP, 9, new JoinGroupRequestData().setGroupId("audit")),
                scope, "denied");

        assertThat(refused).isEqualTo(RequestAction.answerError(Errors.GROUP_AUTHORIZATION_FAILED, "denied"));
        assertThat(served).isEqualTo(RequestAction.forward());
    }

    @Test
    void aFindCoordinatorBeforeBatchingIsRefusedForAGroupInScopeOnly() {
        FindCoordinatorRequestData group = new FindCoordinatorRequestData().setKey("billing").setKeyType(CoordinatorType.GROUP.id());
        FindCoordinatorRequestData transaction = new FindCoordinatorRequestData().setKey("billing")
                .setKeyType(CoordinatorType.TRANSACTION.id());

        assertThat(GroupDenial.apply(request(ApiKeys.FIND_COORDINATOR, 3, group), scope, "denied"))
                .isInstanceOf(RequestAction.AnswerError.class);
        assertThat(GroupDenial.apply(request(ApiKeys.FIND_COORDINATOR, 3, transaction), scope, "denied"))
                .as("a transactional id is not a group").isEqualTo(RequestAction.forward());
    }

    @Test
    void aBatchedFindCoordinatorHasOnlyItsGroupsInScopeRefusedAndTheOthersForwarded() {
        FindCoordinatorRequestData find = new FindCoordinatorRequestData().setKeyType(CoordinatorType.GROUP.id())
                .setCoordinatorKeys(new ArrayList<>(List.of("audit", "billing", "ledger")));

        RequestAction action = GroupDenial.apply(request(ApiKeys.FIND_COORDINATOR, 6, find), scope, "denied");

        assertThat(action).isEqualTo(RequestAction.forwardModified());
        assertThat(find.coordinatorKeys()).as("keys forwarded to the broker").containsExactly("audit", "ledger");
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        scope.owed.get(ApiKeys.FIND_COORDINATOR).accept(response);
        assertThat(response.coordinators()).singleElement().satisfies(coordinator -> {
            assertThat(coordinator.key()).isEqualTo("billing");
            assertThat(coordinator.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
            assertThat(coordinator.nodeId()).isEqualTo(-1);
        });
    }

    @Test
    void aBatchedFindCoordinatorWhollyInScopeIsAnsweredByTheGateway() {
        FindCoordinatorRequestData find = new FindCoordinatorRequestData().setKeyType(CoordinatorType.GROUP.id())
                .setCoordinatorKeys(new ArrayList<>(List.of("billing")));

        assertThat(GroupDenial.apply(request(ApiKeys.FIND_COORDINATOR, 6, find), scope, "denied"))
                .isEqualTo(RequestAction.answerError(Errors.GROUP_AUTHORIZATION_FAILED, "denied"));
        assertThat(scope.owed).isEmpty();
    }

    @Test
    void anOffsetFetchOfSeveralGroupsHasOnlyTheGroupsInScopeRefused() {
        OffsetFetchRequestData fetch = new OffsetFetchRequestData().setGroups(new ArrayList<>(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("billing"),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("audit"))));

        RequestAction action = GroupDenial.apply(request(ApiKeys.OFFSET_FETCH, 9, fetch), scope, "denied");

        assertThat(action).isEqualTo(RequestAction.forwardModified());
        assertThat(fetch.groups()).extracting(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId).containsExactly("audit");
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        scope.owed.get(ApiKeys.OFFSET_FETCH).accept(response);
        assertThat(response.groups()).singleElement().satisfies(group -> {
            assertThat(group.groupId()).isEqualTo("billing");
            assertThat(group.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        });
    }

    @Test
    void anOffsetFetchBeforeBatchingIsJudgedByItsOneGroup() {
        OffsetFetchRequestData fetch = new OffsetFetchRequestData().setGroupId("billing");

        assertThat(GroupDenial.apply(request(ApiKeys.OFFSET_FETCH, 7, fetch), scope, "denied"))
                .isInstanceOf(RequestAction.AnswerError.class);
    }

    private static InterceptedRequest request(ApiKeys api, int version, ApiMessage message) {
        return StubRequest.of(api, version, 7, message);
    }

    /** A rule for some groups that hits every time, keeping the response changes owed. */
    private static final class Scope implements FaultContext {

        private final Set<String> groups;
        private final Map<ApiKeys, Consumer<ApiMessage>> owed = new HashMap<>();

        Scope(Set<String> groups) {
            this.groups = groups;
        }

        @Override
        public ConnectionContext connection() {
            throw new UnsupportedOperationException("group denial needs no connection");
        }

        @Override
        public boolean topicInScope(String topic) {
            return true;
        }

        @Override
        public boolean groupInScope(String group) {
            return groups.contains(group);
        }

        @Override
        public boolean namesGroups() {
            return true;
        }

        @Override
        public boolean hit() {
            return true;
        }

        @Override
        public Random random() {
            return new Random(0);
        }

        @Override
        public <T> T connectionState(Supplier<T> initial) {
            return initial.get();
        }

        @Override
        public void changeResponse(int correlationId, ApiKeys api, Consumer<ApiMessage> change) {
            owed.put(api, change);
        }

        @Override
        public void followRequests(Interest requests, Predicate<InterceptedRequest> follow) {
            throw new UnsupportedOperationException("group denial follows no request");
        }

        @Override
        public MeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }
}
