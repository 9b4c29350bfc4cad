package dev.switchboard.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        ApplicationActivity app = tracker.application("orders", null);
        assertThat(app.awaitingProduce()).isTrue();
        assertThat(app.awaitingFetch()).isTrue();

        app.produced();

        assertThat(app.roles()).containsExactly(Role.PRODUCER);
        assertThat(app.awaitingProduce()).isFalse();
        assertThat(app.awaitingFetch()).isTrue();
        assertThat(tracker.lastSwitch()).isEmpty();
    }

    @Test
    void returnsTheSameHandleForTheSameApplication() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        assertThat(tracker.application("orders", null)).isSameAs(tracker.application("orders", null));
        assertThat(tracker.application("orders", "User:alice")).isNotSameAs(tracker.application("orders", null));
    }

    @Test
    void aProducerIsBackAfterOneProduceOnTheNewCluster() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
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
        assertThat(recovery.roles()).containsExactly(Role.PRODUCER);
        assertThat(recovery.reconnectedAt()).isEqualTo(start.plusMillis(500));
        assertThat(recovery.firstProduceAt()).isEqualTo(start.plusMillis(1000));
        assertThat(recovery.firstFetchAt()).isNull();
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
    void anApplicationThatAlsoConsumedNeedsAFetchToo() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
        orders.produced();
        orders.fetched();
        switchAndComplete(tracker);

        orders.produced();
        RecoveryReport halfway = tracker.lastSwitch().orElseThrow();
        assertThat(halfway.applications().get(0).back()).isFalse();
        assertThat(halfway.notBack()).containsExactly("orders");
        assertThat(halfway.rtoMillis()).isNull();

        clock.advance(Duration.ofSeconds(2));
        orders.fetched();
        RecoveryReport done = tracker.lastSwitch().orElseThrow();
        assertThat(done.applications().get(0).back()).isTrue();
        assertThat(done.rtoMillis()).isEqualTo(2000);
    }

    @Test
    void producesAndFetchesBeforeTheSwitchCompletesDoNotCount() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
        orders.produced();
        orders.fetched();

        tracker.switchStarted(1, "primary", "secondary", true, "alice");
        tracker.connectionsClosed(1);
        orders.connected();
        // Catch-up: the old cluster may still be serving, so these are not signs of recovery.
        assertThat(orders.awaitingProduce()).isFalse();
        orders.produced();
        orders.fetched();
        assertThat(tracker.lastSwitch().orElseThrow().applications().get(0).firstProduceAt()).isNull();

        clock.advance(Duration.ofSeconds(5));
        tracker.switchCompleted();
        assertThat(orders.awaitingProduce()).isTrue();
        assertThat(orders.awaitingFetch()).isTrue();
        orders.produced();
        orders.fetched();

        ApplicationRecovery recovery = tracker.lastSwitch().orElseThrow().applications().get(0);
        assertThat(recovery.reconnectedAt()).isEqualTo(start);
        assertThat(recovery.firstProduceAt()).isEqualTo(start.plusSeconds(5));
        assertThat(recovery.firstFetchAt()).isEqualTo(start.plusSeconds(5));
        assertThat(recovery.recoveredAfterMillis()).isEqualTo(5000);
    }

    @Test
    void anApplicationWithoutRolesIsBackOnceItReconnects() {
        RecoveryTracker tracker = new RecoveryTracker(List.of(), clock);
        ApplicationActivity admin = tracker.application("admin-tool", null);
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
    void theRtoIsKnownOnlyWhenEveryWave1ApplicationIsBack() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders-*", "principal:User:pay*"), clock);
        ApplicationActivity orders = tracker.application("orders-api", null);
        ApplicationActivity payments = tracker.application("svc", "User:payments");
        ApplicationActivity reporting = tracker.application("reporting", null);
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
    void applicationsFirstSeenAfterTheSwitchAreListedButNotWaitedFor() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders*"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
        orders.produced();
        switchAndComplete(tracker);

        ApplicationActivity latecomer = tracker.application("orders-new", null);
        latecomer.connected();
        latecomer.fetched();
        orders.produced();

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.applications()).extracting(ApplicationRecovery::clientId).containsExactly("orders", "orders-new");
        ApplicationRecovery listed = report.applications().get(1);
        assertThat(listed.newSinceSwitch()).isTrue();
        assertThat(listed.wave1()).isTrue();
        assertThat(listed.roles()).containsExactly(Role.CONSUMER);
        assertThat(listed.reconnectedAt()).isEqualTo(start);
        assertThat(listed.firstFetchAt()).isEqualTo(start);
        assertThat(report.wave1Back()).isTrue();
        assertThat(report.rtoMillis()).isZero();
    }

    @Test
    void withoutAWave1MatchTheRtoCoversEveryApplicationAndSaysSo() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("billing"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
        orders.produced();
        switchAndComplete(tracker);
        clock.advance(Duration.ofMillis(700));
        orders.produced();

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.rtoScope()).isEqualTo(RtoScope.ALL_APPLICATIONS);
        assertThat(report.rtoMillis()).isEqualTo(700);
        assertThat(report.wave1Back()).isFalse();
        assertThat(report.note()).contains("no wave 1 pattern matched");
    }

    @Test
    void withoutApplicationsThereIsNoRto() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        switchAndComplete(tracker);

        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        assertThat(report.rtoScope()).isEqualTo(RtoScope.NONE);
        assertThat(report.rtoMillis()).isNull();
        assertThat(report.wave1Back()).isFalse();
        assertThat(report.note()).contains("no application was known");
    }

    @Test
    void aNewSwitchReplacesTheLastReport() {
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.application("orders", null);
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
        assertThat(report.applications().get(0).firstProduceAt()).isNull();
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
