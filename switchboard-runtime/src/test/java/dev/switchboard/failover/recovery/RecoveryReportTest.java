package dev.switchboard.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.support.ManualClock;
import org.junit.jupiter.api.Test;

class RecoveryReportTest {

    /** Configured as the admin API's mapper is. */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Instant start = Instant.parse("2025-01-01T00:00:00Z");
    private final ManualClock clockA = new ManualClock(start);
    private final ManualClock clockB = new ManualClock(start.plusMillis(50));
    private final RecoveryTracker instanceA = new RecoveryTracker(List.of("orders"), clockA);
    private final RecoveryTracker instanceB = new RecoveryTracker(List.of("orders"), clockB);

    @Test
    void mergesInstancesWithEarliestTimesAndTheUnionOfRoles() {
        // The same application produces through one instance and consumes through the other.
        ApplicationActivity ordersOnA = instanceA.opened("orders", null);
        ApplicationActivity ordersOnB = instanceB.opened("orders", null);
        ApplicationActivity reportingOnB = instanceB.opened("reporting", null);
        ordersOnA.produced();
        ordersOnB.fetched();
        reportingOnB.fetched();
        List.of(instanceA, instanceB).forEach(this::switchAndComplete);

        clockA.advance(Duration.ofSeconds(1));
        ordersOnA.connected();
        ordersOnA.produced();
        ordersOnB.failed(Role.CONSUMER, "NOT_LEADER_OR_FOLLOWER");
        ordersOnB.failed(Role.CONSUMER, "NOT_LEADER_OR_FOLLOWER");
        clockB.advance(Duration.ofSeconds(3));
        ordersOnB.connected();
        ordersOnB.fetched();
        instanceB.opened("latecomer", null).connected();

        RecoveryReport onA = instanceA.lastSwitch().orElseThrow();
        RecoveryReport onB = instanceB.lastSwitch().orElseThrow();
        RecoveryReport merged = RecoveryReport.merge(List.of(onA, onB));

        assertThat(merged.epoch()).isEqualTo(7);
        assertThat(merged.requestedAt()).isEqualTo(start);
        assertThat(merged.connectionsClosed()).isEqualTo(4);
        assertThat(merged.completedAt()).isEqualTo(start.plusMillis(50));
        assertThat(merged.applications()).extracting(ApplicationRecovery::clientId)
                .containsExactly("orders", "reporting", "latecomer");
        ApplicationRecovery orders = merged.applications().get(0);
        assertThat(orders.roles()).containsExactly(new RoleRecovery(Role.PRODUCER, start.plusSeconds(1), 0, null),
                new RoleRecovery(Role.CONSUMER, start.plusMillis(3050), 2, "NOT_LEADER_OR_FOLLOWER"));
        assertThat(orders.reconnectedAt()).isEqualTo(start.plusSeconds(1));
        assertThat(orders.back()).isTrue();
        assertThat(orders.recoveredAfterMillis()).isEqualTo(3050);
        assertThat(merged.applications().get(2).atSwitch()).isEqualTo(AtSwitch.NEW);
        assertThat(merged.notBack()).containsExactly("reporting");
        // Neither instance alone saw orders back in every role; together they did.
        assertThat(onA.rtoMillis()).isEqualTo(1000);
        assertThat(onB.rtoMillis()).isEqualTo(3000);
        assertThat(merged.wave1Back()).isTrue();
        assertThat(merged.rtoMillis()).isEqualTo(3050);
    }

    @Test
    void anApplicationKnownOnOneInstanceIsNotNewWhenMerged() {
        instanceA.opened("orders", null).produced();
        List.of(instanceA, instanceB).forEach(this::switchAndComplete);
        instanceB.opened("orders", null).fetched(); // new on B: it must not become a consumer that has to return

        RecoveryReport merged = RecoveryReport.merge(
                List.of(instanceA.lastSwitch().orElseThrow(), instanceB.lastSwitch().orElseThrow()));

        ApplicationRecovery orders = merged.applications().get(0);
        assertThat(orders.atSwitch()).isEqualTo(AtSwitch.RUNNING);
        assertThat(orders.roleSet()).containsExactly(Role.PRODUCER);
        assertThat(orders.back()).isFalse();
    }

    @Test
    void anApplicationRunningOnAnyInstanceIsRunningWhenMerged() {
        instanceA.opened("orders", null).closed();
        instanceA.opened("nightly-report", null).closed();
        clockA.advance(Duration.ofMinutes(5));
        clockB.advance(Duration.ofMinutes(5));
        instanceB.opened("orders", null).produced(); // still connected through B
        List.of(instanceA, instanceB).forEach(this::switchAndComplete);

        RecoveryReport onA = instanceA.lastSwitch().orElseThrow();
        RecoveryReport merged = RecoveryReport.merge(List.of(onA, instanceB.lastSwitch().orElseThrow()));

        assertThat(onA.applications()).extracting(ApplicationRecovery::atSwitch)
                .containsExactly(AtSwitch.NOT_RUNNING, AtSwitch.NOT_RUNNING);
        assertThat(merged.applications()).extracting(ApplicationRecovery::clientId, ApplicationRecovery::atSwitch)
                .containsExactly(tuple("orders", AtSwitch.RUNNING), tuple("nightly-report", AtSwitch.NOT_RUNNING));
        assertThat(merged.notBack()).containsExactly("orders");
    }

    @Test
    void refusesReportsOfDifferentSwitches() {
        instanceA.switchStarted(1, "primary", "secondary", false, "alice");
        instanceB.switchStarted(2, "primary", "secondary", false, "alice");
        assertThatThrownBy(() -> RecoveryReport.merge(
                List.of(instanceA.lastSwitch().orElseThrow(), instanceB.lastSwitch().orElseThrow())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cannot merge reports of switch epochs 1 and 2");
        assertThatThrownBy(() -> RecoveryReport.merge(List.of())).hasMessage("no reports to merge");
    }

    @Test
    void writesIsoInstantsAndMillisAndReadsBackTheSame() throws Exception {
        ApplicationActivity billing = instanceA.opened("billing", "User:alice");
        billing.produced();
        switchAndComplete(instanceA);
        clockA.advance(Duration.ofMillis(1500));
        billing.produced();
        RecoveryReport report = instanceA.lastSwitch().orElseThrow();

        String json = JSON.writeValueAsString(report);
        JsonNode tree = JSON.readTree(json);

        assertThat(tree.get("requestedAt").asText()).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(tree.get("rtoMillis").asLong()).isEqualTo(1500);
        assertThat(tree.get("rtoScope").asText()).isEqualTo("allApplications");
        assertThat(tree.get("note").asText()).contains("no wave 1 pattern matched");
        JsonNode application = tree.get("applications").get(0);
        assertThat(application.get("principal").asText()).isEqualTo("User:alice");
        assertThat(application.get("atSwitch").asText()).isEqualTo("running");
        assertThat(application.get("roles").toString())
                .isEqualTo("[{\"role\":\"producer\",\"backAt\":\"2025-01-01T00:00:01.500Z\",\"failures\":0,\"lastError\":null}]");
        assertThat(JSON.readValue(json, RecoveryReport.class)).isEqualTo(report);
    }

    private void switchAndComplete(RecoveryTracker tracker) {
        tracker.switchStarted(7, "primary", "secondary", false, "alice");
        tracker.connectionsClosed(2);
        tracker.switchCompleted();
    }
}
