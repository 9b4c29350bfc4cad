package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.failover.recovery.ApplicationActivity;
import dev.switchboard.failover.recovery.RecoveryTracker;
import dev.switchboard.failover.recovery.Role;
import dev.switchboard.support.ManualClock;
import org.junit.jupiter.api.Test;

/** The table {@code failover last} prints, from a report as the admin API serves it. */
class RecoveryTableTest {

    /** Configured as the admin API's mapper is. */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void aFailingRoleShowsInItsColumnAndIsSpelledOutBelowTheTable() throws Exception {
        ManualClock clock = new ManualClock();
        RecoveryTracker tracker = new RecoveryTracker(List.of("orders"), clock);
        ApplicationActivity orders = tracker.opened("orders", null);
        orders.produced();
        orders.fetched();
        tracker.switchStarted(3, "primary", "secondary", false, "alice");
        tracker.connectionsClosed(1);
        tracker.switchCompleted();
        clock.advance(Duration.ofMillis(250));
        orders.connected();
        orders.fetched();
        for (int i = 0; i < 12; i++) {
            orders.failed(Role.PRODUCER, "OUT_OF_ORDER_SEQUENCE_NUMBER");
        }
        JsonNode report = JSON.readTree(JSON.writeValueAsString(tracker.lastSwitch().orElseThrow()));

        List<String> lines = RecoveryTable.render(report).lines().toList();

        assertThat(lines).contains(
                "  APPLICATION  WAVE1  AT-SWITCH  RECONNECTED  PRODUCED  FETCHED  COMMITTED  BACK",
                "  orders       yes    running    +0.250s      FAILING   +0.250s  -          NO",
                "  failing: orders producer: 12 failed responses, the last OUT_OF_ORDER_SEQUENCE_NUMBER",
                "  not back: [\"orders\"]",
                "  recovery time (wave1): not yet");
        assertThat(RecoveryTable.everyApplicationBack(report)).isFalse();
    }
}
