package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import dev.switchboard.intercept.RequestAction;
import dev.switchboard.support.Await;
import dev.switchboard.support.ManualClock;
import dev.switchboard.support.StubConnection;
import dev.switchboard.support.StubRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.junit.jupiter.api.Test;

class RejoinGatheringTest {

    private static final String GROUP = "readers";
    /** Longer than any test here runs, so only the last member's arrival releases a gathering. */
    private static final Duration LONG_WINDOW = Duration.ofMinutes(5);

    private final ManualClock clock = new ManualClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final StubConnection connection = new StubConnection("secondary", Map.of());

    @Test
    void theRejoinsOfAGroupGoOnTogetherOnceEveryMemberSeenBeforeTheSwitchHasCome() {
        RejoinGathering gathering = new RejoinGathering(clock, registry, LONG_WINDOW, 1000);
        heartbeat(gathering, GROUP, "old-1");
        heartbeat(gathering, GROUP, "old-2");
        heartbeat(gathering, GROUP, "old-3");
        gathering.switched(true);

        assertThat(join(gathering, GROUP, "", null)).as("no member id yet: the broker hands one out").isEqualTo(RequestAction.forward());
        assertThat(join(gathering, GROUP, "old-2", null)).as("an old cluster's id: the broker refuses it").isEqualTo(RequestAction.forward());
        CompletionStage<?> first = held(join(gathering, GROUP, "new-1", null));
        CompletionStage<?> second = held(join(gathering, GROUP, "new-2", null));
        assertThat(held(join(gathering, GROUP, "new-2", null))).as("a member asked again is counted once").isSameAs(second);
        assertThat(first.toCompletableFuture()).isNotDone();

        assertThat(join(gathering, GROUP, "new-3", null)).as("the last to come goes at once").isEqualTo(RequestAction.forward());
        assertThat(first.toCompletableFuture()).isDone();
        assertThat(second.toCompletableFuture()).isDone();
        assertThat(join(gathering, GROUP, "new-1", null)).as("asked again once released").isEqualTo(RequestAction.forward());
        Await.until(() -> gathered("whole") == 1, Duration.ofSeconds(10), "the gathering counted as whole");
        assertThat(gathered("deadline")).isZero();
    }

    @Test
    void onlyMembersSeenRecentlyAndNotLeftAreExpectedAndStaticMembersCountByInstanceId() {
        RejoinGathering gathering = new RejoinGathering(clock, registry, LONG_WINDOW, 1000);
        heartbeat(gathering, GROUP, "long-gone");
        clock.advance(RejoinGathering.RECENT.plusSeconds(1));
        heartbeat(gathering, GROUP, "old-1");
        heartbeat(gathering, GROUP, "old-2");
        heartbeat(gathering, GROUP, "left");
        gathering.onRequest(request(ApiKeys.LEAVE_GROUP, new LeaveGroupRequestData().setGroupId(GROUP).setMembers(
                List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("left")))), connection);
        heartbeat(gathering, "other-group", "other-1");
        gathering.switched(true);

        CompletionStage<?> staticMember = held(join(gathering, GROUP, "", "instance-a"));
        assertThat(join(gathering, GROUP, "new-2", null)).isEqualTo(RequestAction.forward());
        assertThat(staticMember.toCompletableFuture()).isDone();
        assertThat(join(gathering, "unknown-group", "new-x", null)).as("a group nobody saw gathers nothing").isEqualTo(RequestAction.forward());
    }

    @Test
    void afterAnUnplannedSwitchNothingIsGathered() {
        RejoinGathering gathering = new RejoinGathering(clock, registry, LONG_WINDOW, 1000);
        heartbeat(gathering, GROUP, "old-1");
        heartbeat(gathering, GROUP, "old-2");
        gathering.switched(false);

        assertThat(join(gathering, GROUP, "new-1", null)).isEqualTo(RequestAction.forward());
    }

    @Test
    void aGroupWhoseMembersDoNotAllComeGoesOnAtTheEndOfTheWindow() {
        RejoinGathering gathering = new RejoinGathering(clock, registry, Duration.ofMillis(50), 1000);
        heartbeat(gathering, GROUP, "old-1");
        heartbeat(gathering, GROUP, "old-2");
        gathering.switched(true);

        CompletionStage<?> alone = held(join(gathering, GROUP, "new-1", null));
        Await.until(() -> alone.toCompletableFuture().isDone(), Duration.ofSeconds(10), "the window to end");
        assertThat(join(gathering, GROUP, "new-1", null)).isEqualTo(RequestAction.forward());
        Await.until(() -> gathered("deadline") == 1, Duration.ofSeconds(10), "the gathering counted as ended by its deadline");
    }

    @Test
    void membersPastTheBoundAreForgottenAndCounted() {
        int bound = 10;
        RejoinGathering gathering = new RejoinGathering(clock, registry, LONG_WINDOW, bound);
        int members = 25;
        for (int i = 0; i < members; i++) {
            clock.advance(Duration.ofMillis(1));
            heartbeat(gathering, GROUP, "old-" + i);
        }
        gathering.switched(true);

        int joinsHeld = 0;
        List<CompletionStage<?>> held = new ArrayList<>();
        RequestAction action;
        while ((action = join(gathering, GROUP, "new-" + joinsHeld, null)) instanceof RequestAction.AskAgain again) {
            held.add(again.ready());
            joinsHeld++;
        }
        int expected = joinsHeld + 1;
        assertThat(expected).isLessThanOrEqualTo(bound);
        assertThat(registry.counter("switchboard.failover.group.members.dropped").count()).isEqualTo(members - expected);
        assertThat(held).allSatisfy(ready -> assertThat(ready.toCompletableFuture()).isDone());
        assertThat(action).isEqualTo(RequestAction.forward());
    }

    private double gathered(String outcome) {
        return registry.counter("switchboard.failover.rejoins.gathered", "outcome", outcome).count();
    }

    private void heartbeat(RejoinGathering gathering, String group, String memberId) {
        RequestAction action = gathering.onRequest(request(ApiKeys.HEARTBEAT,
                new HeartbeatRequestData().setGroupId(group).setMemberId(memberId).setGenerationId(1)), connection);
        assertThat(action).isEqualTo(RequestAction.forward());
    }

    private RequestAction join(RejoinGathering gathering, String group, String memberId, String instanceId) {
        return gathering.onRequest(request(ApiKeys.JOIN_GROUP, new JoinGroupRequestData().setGroupId(group)
                .setMemberId(memberId).setGroupInstanceId(instanceId).setProtocolType("consumer")), connection);
    }

    private static CompletionStage<?> held(RequestAction action) {
        assertThat(action).isInstanceOf(RequestAction.AskAgain.class);
        return ((RequestAction.AskAgain) action).ready();
    }

    private static StubRequest request(ApiKeys api, ApiMessage message) {
        return StubRequest.of(api, api.latestVersion(), 1, message);
    }
}
