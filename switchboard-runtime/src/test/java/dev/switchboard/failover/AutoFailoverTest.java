package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.AutoFailoverConfig;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.failover.recovery.SwitchDecision;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.health.Health;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The automatic failover across two gateway instances that both see the outage: a veto at either instance within the
 * window stops it on both, and with no veto exactly one of them fails over, once, after the window. The first outage
 * is a drill (a chaos outage rule that says {@code triggersFailover}); the second is the primary's broker stopped for
 * real. The clusters are this class's own, since the switch state they hold outlives the class.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration VETO_WINDOW = Duration.ofSeconds(4);
    private static final String CLUSTER_ID = "auto-failover-virtual";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private GatewayFixture a;
    private GatewayFixture b;

    @BeforeAll
    void start(@KafkaCluster(name = "auto-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "auto-secondary", nodeIds = {5}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        DetectionConfig detection = new DetectionConfig("500ms", "2s", null, null, null, null,
                new AutoFailoverConfig(true, secondary.name(), "1s", VETO_WINDOW.toSeconds() + "s"));
        a = GatewayFixture.withDetection(CLUSTER_ID, detection, primary, secondary);
        b = GatewayFixture.withDetection(CLUSTER_ID, detection, primary, secondary);
        Await.until(() -> both(g -> g.health().health() == Health.HEALTHY), WAIT, "both instances to judge the primary healthy");
    }

    @AfterAll
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (primary != null && !primary.isRunning(0)) {
            primary.startBroker(0);
        }
    }

    @Test
    @Order(1)
    void aVetoWithinTheWindowStopsItOnBothInstances() throws Exception {
        long epochBefore = epoch(a.gateway());
        assertThatThrownBy(() -> b.gateway().vetoFailover("early-operator")).isInstanceOf(SwitchRefused.class)
                .hasMessageContaining("no automatic failover is armed");
        a.gateway().chaos().add(JSON.readTree("""
                {"name": "auto-drill", "type": "outage", "duration": "5m", "params": {"triggersFailover": true}}
                """), "drill");
        try {
            Await.until(() -> both(g -> g.autoFailover().detail() instanceof AutoFailoverState.Armed), WAIT,
                    "both instances to see the failover armed");
            AutoFailoverEvent proposal = ((AutoFailoverState.Armed) a.gateway().autoFailover().detail()).proposal();
            assertThat(((AutoFailoverState.Armed) b.gateway().autoFailover().detail()).proposal())
                    .as("the proposal both instances follow").isEqualTo(proposal);
            assertThat(proposal.to()).isEqualTo(secondary.name());
            assertThat(Duration.between(proposal.at(), proposal.decideAt())).isEqualTo(VETO_WINDOW);

            AutoFailover.VetoOutcome veto = b.gateway().vetoFailover("operator-on-b");
            assertThat(veto.result()).isEqualTo("vetoed");
            assertThat(veto.proposal()).isEqualTo(proposal);
            Await.until(() -> both(g -> g.autoFailover().detail() instanceof AutoFailoverState.Vetoed), WAIT,
                    "both instances to see the veto");

            // Past the window, with the drill still on: nothing switched, and the same outage does not arm it again.
            Instant windowClosed = proposal.decideAt();
            Await.until(() -> Instant.now().isAfter(windowClosed.plusSeconds(3)), WAIT, "the veto window to be long past");
            assertThat(both(g -> g.clusters().active().name().equals(primary.name()))).as("primary still active").isTrue();
            assertThat(epoch(a.gateway())).isEqualTo(epochBefore);
            assertThat(epoch(b.gateway())).isEqualTo(epochBefore);
            assertThat(both(g -> g.autoFailover().detail() instanceof AutoFailoverState.Vetoed)).as("still vetoed").isTrue();
            assertThat(a.gateway().health().health()).isEqualTo(Health.DOWN);
        } finally {
            a.gateway().chaos().remove("auto-drill", "drill");
        }
        Await.until(() -> both(g -> g.health().health() == Health.HEALTHY), WAIT, "both instances to judge the primary healthy again");
    }

    @Test
    @Order(2)
    void withNoVetoExactlyOneInstanceFailsOverOnceAfterTheWindow() {
        long epochBefore = epoch(a.gateway());
        primary.stopBroker(0);
        Await.until(() -> both(g -> g.autoFailover().detail() instanceof AutoFailoverState.Armed), WAIT,
                "both instances to see the failover armed");
        AutoFailoverEvent proposal = ((AutoFailoverState.Armed) a.gateway().autoFailover().detail()).proposal();

        Await.until(() -> both(g -> g.clusters().active().name().equals(secondary.name())), WAIT,
                "both instances to fail over to the secondary");
        Gateway decider = a.gateway().instanceId().equals(proposal.by()) ? a.gateway() : b.gateway();
        Await.until(() -> decider.lastRecovery().filter(r -> r.epoch() == epochBefore + 1).isPresent(), WAIT,
                "the decider's recovery report");
        // Long enough for a second decision or a second switch to show, had there been one.
        Instant settled = Instant.now();
        Await.until(() -> Instant.now().isAfter(settled.plusSeconds(3)), WAIT, "a few more checks");

        assertThat(epoch(a.gateway())).as("epochs written: one switch").isEqualTo(epochBefore + 1);
        assertThat(epoch(b.gateway())).isEqualTo(epochBefore + 1);
        assertThat(startedAlerts(a.gateway()) + startedAlerts(b.gateway())).as("failovers started, both instances").isEqualTo(1.0);
        assertThat(startedAlerts(decider)).isEqualTo(1.0);

        RecoveryReport report = decider.lastRecovery().orElseThrow();
        assertThat(report.planned()).isFalse();
        assertThat(report.to()).isEqualTo(secondary.name());
        SwitchDecision decision = report.decision();
        assertThat(decision).as("how the switch was decided").isNotNull();
        assertThat(decision.decidedBy()).isEqualTo("auto-failover on instance " + proposal.by());
        assertThat(decision.vetoWindowMillis()).isEqualTo(VETO_WINDOW.toMillis());
        assertThat(decision.detectedAt()).isEqualTo(proposal.detectedAt());
        assertThat(decision.decidedAt()).as("decided no earlier than the window closed").isAfterOrEqualTo(proposal.decideAt());
        assertThat(report.requestedAt()).isAfterOrEqualTo(proposal.decideAt());
        Gateway other = decider == a.gateway() ? b.gateway() : a.gateway();
        assertThat(other.lastRecovery().orElseThrow().decision()).as("the other instance's report").isEqualTo(decision);
        assertThat(both(g -> g.autoFailover().detail() instanceof AutoFailoverState.Watching))
                .as("nothing armed on the secondary, the failover's target").isTrue();
    }

    private boolean both(Predicate<Gateway> condition) {
        return List.of(a.gateway(), b.gateway()).stream().allMatch(condition);
    }

    private static long epoch(Gateway gateway) {
        Long epoch = gateway.status().switchEpoch();
        return epoch == null ? 0 : epoch;
    }

    private static double startedAlerts(Gateway gateway) {
        return gateway.metrics().registry().find("switchboard.alerts").tag("type", "auto-failover.started").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
