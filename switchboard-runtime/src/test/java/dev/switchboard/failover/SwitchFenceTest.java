package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.switchboard.support.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SwitchFenceTest {

    private final ManualClock clock = new ManualClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aMemberFromBeforeTheSwitchIsFencedUntilItRejoinsAndOneNeverSeenJoiningIsNot() {
        SwitchFence fence = new SwitchFence(clock, registry);
        SwitchFence.ClientKey member = new SwitchFence.ClientKey("reader", "10.0.0.1");
        SwitchFence.ClientKey assigned = new SwitchFence.ClientKey("assigner", "10.0.0.1");
        fence.groupJoined(member, true);
        assertThat(fence.fencesFetch(member)).as("no switch yet").isFalse();

        fence.switched(1);
        assertThat(fence.fencesFetch(member)).isTrue();
        assertThat(fence.fencesFetch(assigned)).as("never seen joining a group").isFalse();
        fence.groupJoined(member, false);
        assertThat(fence.fencesFetch(member)).as("a heartbeat is no rejoin").isTrue();
        fence.groupJoined(member, true);
        assertThat(fence.fencesFetch(member)).isFalse();
    }

    @Test
    void theFenceLiftsAfterItsLongestTime() {
        SwitchFence fence = new SwitchFence(clock, registry);
        SwitchFence.ClientKey member = new SwitchFence.ClientKey("reader", "10.0.0.1");
        fence.groupJoined(member, true);
        fence.switched(1);
        clock.advance(SwitchFence.MAX_FENCE.plusMillis(1));
        assertThat(fence.fencesFetch(member)).isFalse();
    }

    @Test
    void consumersPastTheBoundAreForgottenOldestFirstAndCounted() {
        int bound = 100;
        int consumers = 1_000;
        SwitchFence fence = new SwitchFence(clock, registry, bound);
        for (int i = 0; i < consumers; i++) {
            clock.advance(Duration.ofMillis(1));
            fence.groupJoined(new SwitchFence.ClientKey("short-lived-consumer-" + i, "10.0.0.1"), true);
        }
        fence.switched(1);

        int remembered = 0;
        for (int i = 0; i < consumers; i++) {
            if (fence.fencesFetch(new SwitchFence.ClientKey("short-lived-consumer-" + i, "10.0.0.1"))) {
                remembered++;
            }
        }
        assertThat(remembered).isBetween(bound * 9 / 10, bound);
        assertThat(registry.counter("switchboard.failover.fence.clients.dropped").count()).isEqualTo(consumers - remembered);
        assertThat(fence.fencesFetch(new SwitchFence.ClientKey("short-lived-consumer-" + (consumers - 1), "10.0.0.1")))
                .as("the one seen last is kept").isTrue();
        assertThat(fence.fencesFetch(new SwitchFence.ClientKey("short-lived-consumer-0", "10.0.0.1")))
                .as("the one seen first is forgotten").isFalse();
    }
}
