package dev.switchboard.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import dev.switchboard.config.RecoveryConfig;
import dev.switchboard.support.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * What the tracker keeps per client id stays bounded: an application that creates a producer per request, each with a
 * fresh client id, or a stream of garbage ids, cannot grow it, and every application dropped is counted.
 */
class RecoveryTrackerBoundsTest {

    private static final int MAX = 100;

    private final ManualClock clock = new ManualClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), new RecoveryConfig("60s", "10m", MAX),
            clock, registry);

    @Test
    void aStreamOfFreshClientIdsStaysUnderTheCapAndEveryDropIsCounted() {
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        for (int i = 0; i < 3_000; i++) {
            clock.advance(Duration.ofMillis(1));
            ApplicationActivity perRequest = tracker.opened("producer-" + i, null);
            perRequest.produced();
            perRequest.closed();
            assertThat(tracker.size()).isLessThanOrEqualTo(MAX);
        }

        assertThat(tracker.opened("orders", null)).as("the application still connected is kept").isSameAs(orders);
        assertThat(dropped("capacity") + dropped("idle")).isEqualTo(3_000 + 1 - tracker.size());
        assertThat(gauge()).isEqualTo(tracker.size());
        assertThat(dropped("untracked")).isZero();
    }

    @Test
    void applicationsIdleLongerThanForgetAfterAreForgotten() {
        tracker.opened("nightly-report", null).closed();
        tracker.opened("orders", null); // stays connected
        clock.advance(Duration.ofMinutes(11));

        tracker.switchStarted(1, "primary", "secondary", false, "alice");

        assertThat(dropped("idle")).isEqualTo(1);
        assertThat(tracker.lastSwitch().orElseThrow().applications()).extracting(ApplicationRecovery::clientId)
                .containsExactly("orders");
    }

    @Test
    void whenEveryTrackedApplicationIsConnectedANewOneIsSeenButNotKept() {
        for (int i = 0; i < MAX; i++) {
            tracker.opened("connected-" + i, null);
        }
        ApplicationActivity extra = tracker.opened("one-too-many", null);
        extra.produced(); // a handle that works, and records nothing
        extra.closed();

        assertThat(tracker.size()).isEqualTo(MAX);
        assertThat(dropped("untracked")).isEqualTo(1);
        assertThat(tracker.opened("one-too-many", null)).isNotSameAs(extra);
    }

    @Test
    void freshClientIdsAfterASwitchCannotGrowItsReportNorPushOutWhatItWaitsFor() {
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        orders.closed(); // between two runs at the switch: it must come back
        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        tracker.connectionsClosed(1);
        tracker.switchCompleted();

        for (int i = 0; i < 1_000; i++) {
            clock.advance(Duration.ofMillis(1));
            tracker.opened("producer-" + i, null).closed();
        }
        RecoveryReport crowded = tracker.lastSwitch().orElseThrow();
        assertThat(crowded.applications()).hasSizeLessThanOrEqualTo(MAX + 1);
        assertThat(crowded.notBack()).containsExactly("orders");

        ApplicationActivity returned = tracker.opened("orders", null);
        assertThat(returned).as("forgotten to make room, then tracked afresh").isNotSameAs(orders);
        returned.connected();
        returned.produced();
        RecoveryReport report = tracker.lastSwitch().orElseThrow();
        ApplicationRecovery back = report.applications().get(0);
        assertThat(back.clientId()).isEqualTo("orders");
        assertThat(back.atSwitch()).isEqualTo(AtSwitch.RUNNING);
        assertThat(back.back()).isTrue();
        assertThat(report.rtoMillis()).isEqualTo(1_000);
    }

    private double dropped(String reason) {
        return registry.get("switchboard.recovery.applications.dropped").tag("reason", reason).counter().count();
    }

    private double gauge() {
        return registry.get("switchboard.recovery.applications").gauge().value();
    }
}
