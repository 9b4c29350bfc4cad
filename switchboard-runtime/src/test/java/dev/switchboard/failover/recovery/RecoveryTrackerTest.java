package dev.switchboard.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.switchboard.support.ManualClock;
import org.junit.jupiter.api.Test;

class RecoveryTrackerTest {

    private final ManualClock clock = new ManualClock();
    private final Instant start = clock.instant();

    @Test
    void learnsRolesBeforeTheSwitchAndStopsAskingOnceLearned() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        ApplicationActivity app = tracker.opened("orders", null);
        assertThat(app.awaitingProduce()).isTrue();
        assertThat(app.awaitingFetch()).isTrue();
        assertThat(app.awaitingCommit()).isTrue();

        app.produced();
        app.committed();

        assertThat(app.roles()).containsExactly(Role.PRODUCER, Role.TRANSACTIONAL);
        assertThat(app.awaitingProduce()).isFalse();
        assertThat(app.awaitingCommit()).isFalse();
        assertThat(app.awaitingFetch()).isTrue();
        assertThat(tracker.lastSwitch()).isEmpty();
    }

    @Test
    void returnsTheSameHandleForTheSameApplication() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        assertThat(tracker.opened("orders", null)).isSameAs(tracker.opened("orders", null));
        assertThat(tracker.opened("orders", "User:alice")).isNotSameAs(tracker.opened("orders", null));
        assertThat(tracker.size()).isEqualTo(2);
    }

    @Test
    void aProducerIsBackAfterOneProduceOnTheNewCluster() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();

        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        clock.advance(Duration.ofMillis(100));
        tracker.connectionsClosed(3);
        tracker.switchCompleted();
        clock.advance(Duration.ofMillis(400));
        orders.connected();
        assertThat(orders.awaitingProduce()).isTrue();
        clock.advance(Duration.ofMillis(500));
        orders.produced();

        assertThat(orders.awaitingProduce()).isFalse();
        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        ApplicationRecovery recovery = report.applications().get(0);
        assertThat(recovery.atSwitch()).isEqualTo(AtSwitch.RUNNING);
        assertThat(recovery.roles()).containsExactly(new RoleRecovery(Role.PRODUCER, start.plusMillis(1000), 0, null));
        assertThat(recovery.reconnectedAt()).isEqualTo(start.plusMillis(500));
        assertThat(recovery.back()).isTrue();
        assertThat(recovery.recoveredAfterMillis()).isEqualTo(1000);
        assertThat(report.connectionsClosedAt()).isEqualTo(start.plusMillis(100));
        assertThat(report.connectionsClosed()).isEqualTo(3);
        assertThat(report.wave1Back()).isTrue();
        assertThat(report.rtoScope()).isEqualTo(RtoScope.WAVE1);
        assertThat(report.rtoMillis()).isEqualTo(1000);
        assertThat(report.notBack()).isEmpty();
    }

    @Test
    void aConsumerThatFetchesIsNotBackWhileItsProducerFailsEverySend() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        orders.fetched();
        switchAndComplete(tracker);

        clock.advance(Duration.ofMillis(700));
        orders.fetched();
        for (int i = 0; i < 3; i++) {
            orders.failed(Role.PRODUCER, "OUT_OF_ORDER_SEQUENCE_NUMBER");
        }
        RecoveryReport failing = tracker.lastSwitch().orElseThrow();
        ApplicationRecovery halfway = failing.applications().get(0);
        assertThat(halfway.back()).isFalse();
        assertThat(halfway.role(Role.CONSUMER)).isEqualTo(new RoleRecovery(Role.CONSUMER, start.plusMillis(700), 0, null));
        assertThat(halfway.role(Role.PRODUCER)).isEqualTo(new RoleRecovery(Role.PRODUCER, null, 3, "OUT_OF_ORDER_SEQUENCE_NUMBER"));
        assertThat(halfway.role(Role.PRODUCER).failing()).isTrue();
        assertThat(failing.notBack()).containsExactly("orders");
        assertThat(failing.rtoMillis()).isNull();
        assertThat(orders.awaitingProduce()).as("failures keep the produce responses inspected").isTrue();

        clock.advance(Duration.ofSeconds(2));
        orders.produced();
        orders.failed(Role.PRODUCER, "NOT_LEADER_OR_FOLLOWER"); // after its success: no longer the switch's concern
        RecoveryReport done = tracker.lastSwitch().orElseThrow();
        ApplicationRecovery back = done.applications().get(0);
        assertThat(back.back()).isTrue();
        assertThat(back.role(Role.PRODUCER)).isEqualTo(new RoleRecovery(Role.PRODUCER, start.plusMillis(2700), 3,
                "OUT_OF_ORDER_SEQUENCE_NUMBER"));
        assertThat(back.role(Role.PRODUCER).failing()).isFalse();
        assertThat(done.rtoMillis()).isEqualTo(2700);
    }

    @Test
    void aTransactionalApplicationIsBackOnlyOnceACommitSucceedsAgain() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        ApplicationActivity payments = tracker.opened("payments", null);
        payments.produced();
        payments.committed();
        switchAndComplete(tracker);

        clock.advance(Duration.ofSeconds(1));
        payments.produced();
        payments.failed(Role.TRANSACTIONAL, "INVALID_PRODUCER_ID_MAPPING");
        ApplicationRecovery producing = tracker.lastSwitch().orElseThrow().applications().get(0);
        assertThat(producing.back()).isFalse();
        assertThat(producing.role(Role.TRANSACTIONAL).lastError()).isEqualTo("INVALID_PRODUCER_ID_MAPPING");

        clock.advance(Duration.ofSeconds(1));
        payments.committed();
        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.applications().get(0).roleSet()).containsExactlyInAnyOrder(Role.PRODUCER, Role.TRANSACTIONAL);
        assertThat(report.applications().get(0).back()).isTrue();
        assertThat(report.rtoMillis()).isEqualTo(2000);
    }

    @Test
    void signalsAndFailuresBeforeTheSwitchCompletesDoNotCount() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        orders.fetched();

        tracker.switchStarted(1, "primary", "secondary", true, "alice");
        tracker.connectionsClosed(1);
        orders.connected();
        // Catch-up: the old cluster may still be serving, so these are not signs of recovery, nor of its failure.
        assertThat(orders.awaitingProduce()).isFalse();
        orders.produced();
        orders.fetched();
        orders.failed(Role.PRODUCER, "NOT_ENOUGH_REPLICAS");
        assertThat(tracker.lastSwitch().orElseThrow().applications().get(0).role(Role.PRODUCER))
                .isEqualTo(new RoleRecovery(Role.PRODUCER, null, 0, null));

        clock.advance(Duration.ofSeconds(5));
        tracker.switchCompleted();
        assertThat(orders.awaitingProduce()).isTrue();
        assertThat(orders.awaitingFetch()).isTrue();
        orders.produced();
        orders.fetched();

        ApplicationRecovery recovery = tracker.lastSwitch().orElseThrow().applications().get(0);
        assertThat(recovery.reconnectedAt()).isEqualTo(start);
        assertThat(recovery.role(Role.PRODUCER).backAt()).isEqualTo(start.plusSeconds(5));
        assertThat(recovery.role(Role.CONSUMER).backAt()).isEqualTo(start.plusSeconds(5));
        assertThat(recovery.recoveredAfterMillis()).isEqualTo(5000);
    }

    @Test
    void anApplicationWithoutRolesIsBackOnceItReconnects() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        ApplicationActivity admin = tracker.opened("admin-tool", null);
        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        admin.connected(); // before connections were closed: still on the old connection's terms
        tracker.connectionsClosed(1);
        assertThat(tracker.lastSwitch().orElseThrow().applications().get(0).back()).isFalse();

        clock.advance(Duration.ofMillis(300));
        admin.connected();
        ApplicationRecovery recovery = tracker.lastSwitch().orElseThrow().applications().get(0);
        assertThat(recovery.roles()).isEmpty();
        assertThat(recovery.back()).isTrue();
        assertThat(recovery.recoveredAfterMillis()).isEqualTo(300);
    }

    @Test
    void onlyApplicationsConnectedAtTheSwitchOrActiveJustBeforeMustComeBack() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        ApplicationActivity finishedLongAgo = tracker.opened("nightly-report", null);
        finishedLongAgo.fetched();
        finishedLongAgo.closed();
        clock.advance(Duration.ofMinutes(10));
        ApplicationActivity betweenRuns = tracker.opened("every-30s-job", null);
        betweenRuns.produced();
        betweenRuns.closed();
        clock.advance(Duration.ofSeconds(30));
        ApplicationActivity connected = tracker.opened("orders", null);
        connected.produced();
        Instant requested = clock.instant();

        switchAndComplete(tracker);
        clock.advance(Duration.ofMillis(400));
        connected.produced();
        RecoveryReport waiting = tracker.lastSwitch().orElseThrow();
        assertThat(waiting.applications()).extracting(ApplicationRecovery::clientId, ApplicationRecovery::atSwitch)
                .containsExactly(
                        tuple("every-30s-job", AtSwitch.RUNNING),
                        tuple("orders", AtSwitch.RUNNING),
                        tuple("nightly-report", AtSwitch.NOT_RUNNING));
        assertThat(waiting.notBack()).containsExactly("every-30s-job");
        assertThat(waiting.rtoMillis()).isNull();

        clock.advance(Duration.ofMillis(600));
        ApplicationActivity nextRun = tracker.opened("every-30s-job", null);
        assertThat(nextRun).isSameAs(betweenRuns);
        nextRun.connected();
        nextRun.produced();
        RecoveryReport done = tracker.lastSwitch().orElseThrow();
        assertThat(done.notBack()).isEmpty();
        assertThat(done.rtoScope()).isEqualTo(RtoScope.ALL_APPLICATIONS);
        assertThat(done.rtoMillis()).isEqualTo(Duration.between(requested, clock.instant()).toMillis());
        ApplicationRecovery nightly = done.applications().get(2);
        assertThat(nightly.back()).isFalse();
        assertThat(nightly.roleSet()).containsExactly(Role.CONSUMER);
    }

    @Test
    void theRtoIsKnownOnlyWhenEveryWave1ApplicationIsBack() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders-*", "principal:User:pay*"), clock);
        ApplicationActivity orders = tracker.opened("orders-api", null);
        ApplicationActivity payments = tracker.opened("svc", "User:payments");
        ApplicationActivity reporting = tracker.opened("reporting", null);
        List.of(orders, payments, reporting).forEach(ApplicationActivity::produced);
        switchAndComplete(tracker);

        clock.advance(Duration.ofSeconds(1));
        orders.produced();
        RecoveryReport oneOfTwo = tracker.lastSwitch().orElseThrow();
        assertThat(oneOfTwo.wave1Back()).isFalse();
        assertThat(oneOfTwo.rtoMillis()).isNull();

        clock.advance(Duration.ofSeconds(2));
        payments.produced();
        RecoveryReport both = tracker.lastSwitch().orElseThrow();
        assertThat(both.wave1Back()).isTrue();
        assertThat(both.rtoMillis()).isEqualTo(3000);
        assertThat(both.notBack()).containsExactly("reporting");
    }

    @Test
    void applicationsFirstSeenAfterTheSwitchAreNewNeverBackAndNotWaitedFor() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders*"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        switchAndComplete(tracker);

        ApplicationActivity latecomer = tracker.opened("orders-new", null);
        latecomer.connected();
        latecomer.fetched();
        orders.produced();

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.applications()).extracting(ApplicationRecovery::clientId).containsExactly("orders", "orders-new");
        ApplicationRecovery listed = report.applications().get(1);
        assertThat(listed.atSwitch()).isEqualTo(AtSwitch.NEW);
        assertThat(listed.wave1()).isTrue();
        assertThat(listed.roles()).containsExactly(new RoleRecovery(Role.CONSUMER, start, 0, null));
        assertThat(listed.reconnectedAt()).isEqualTo(start);
        assertThat(listed.back()).isFalse();
        assertThat(listed.recoveredAfterMillis()).isNull();
        assertThat(report.wave1Back()).isTrue();
        assertThat(report.rtoMillis()).isZero();
    }

    @Test
    void withoutAWave1MatchTheRtoCoversEveryRunningApplicationAndSaysSo() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("billing"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        switchAndComplete(tracker);
        clock.advance(Duration.ofMillis(700));
        orders.produced();

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.rtoScope()).isEqualTo(RtoScope.ALL_APPLICATIONS);
        assertThat(report.rtoMillis()).isEqualTo(700);
        assertThat(report.wave1Back()).isFalse();
        assertThat(report.note()).contains("no wave 1 pattern matched an application running at the switch");
    }

    @Test
    void withoutRunningApplicationsThereIsNoRto() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        tracker.opened("orders", null).closed();
        clock.advance(Duration.ofMinutes(5));
        switchAndComplete(tracker);

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.applications()).extracting(ApplicationRecovery::atSwitch).containsExactly(AtSwitch.NOT_RUNNING);
        assertThat(report.rtoScope()).isEqualTo(RtoScope.NONE);
        assertThat(report.rtoMillis()).isNull();
        assertThat(report.wave1Back()).isFalse();
        assertThat(report.note()).contains("no application was running");
    }

    @Test
    void aNewSwitchReplacesTheLastReport() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        switchAndComplete(tracker);
        orders.produced();

        clock.advance(Duration.ofMinutes(10));
        tracker.switchStarted(2, "secondary", "primary", true, "bob");

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.epoch()).isEqualTo(2);
        assertThat(report.from()).isEqualTo("secondary");
        assertThat(report.requestedAt()).isEqualTo(start.plus(Duration.ofMinutes(10)));
        assertThat(report.completedAt()).isNull();
        assertThat(report.applications().get(0).role(Role.PRODUCER).backAt()).isNull();
        assertThat(report.notBack()).containsExactly("orders");
    }

    @Test
    void switchStepsNeedAStartedSwitch() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        assertThatThrownBy(() -> tracker.connectionsClosed(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("connectionsClosed before any switchStarted");
        assertThatThrownBy(tracker::switchCompleted).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBadWave1PatternIsRefusedByName() {
        assertThatThrownBy(() -> new RecoveryTracker(List.of("orders", "user:alice"), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'user:alice'");
    }

    private void switchAndComplete(RecoveryTracker tracker) {
        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        tracker.connectionsClosed(1);
        tracker.switchCompleted();
    }
}
