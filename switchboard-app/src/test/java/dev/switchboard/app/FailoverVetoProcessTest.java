package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.admin.AdminServer;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.AutoFailoverConfig;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.failover.AutoFailoverState;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code switchboard failover veto} as a process of its own against a running gateway whose automatic failover a drill
 * armed: it stops the failover and says so, and a second veto, with nothing armed any more, is refused on stderr with
 * exit code 3. The veto window is long, so the drill can never switch the clusters, which are this class's own.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverVetoProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private GatewayFixture fixture;
    private AdminServer admin;
    private Gateway gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "veto-primary") EmbeddedKafkaCluster primary,
                      @KafkaCluster(name = "veto-secondary", nodeIds = {4}) EmbeddedKafkaCluster secondary) {
        DetectionConfig detection = new DetectionConfig("500ms", "2s", null, null, null, null,
                new AutoFailoverConfig(true, secondary.name(), "1s", "10m"));
        fixture = GatewayFixture.withDetection(null, detection, primary, secondary);
        gateway = fixture.gateway();
        admin = AdminServer.start(gateway, new AdminConfig("127.0.0.1", 0));
    }

    @AfterAll
    void stopGateway() {
        if (admin != null) {
            admin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void vetoStopsTheArmedFailoverAndASecondOneIsRefused() throws Exception {
        String adminUrl = "http://127.0.0.1:" + admin.port();
        String token = gateway.adminTokens().create("veto-test", AdminRole.OPERATOR, "test").token();
        gateway.chaos().add(new ObjectMapper().readTree("""
                {"name": "veto-drill", "type": "outage", "duration": "5m", "params": {"triggersFailover": true}}
                """), "drill");
        try {
            Await.until(() -> gateway.autoFailover().detail() instanceof AutoFailoverState.Armed, WAIT, "the failover to be armed");

            SwitchboardProcess veto = SwitchboardProcess.run("failover", "veto", "--admin", adminUrl, "--token", token);
            assertThat(veto.exit()).as(veto.toString()).isZero();
            assertThat(veto.out()).startsWith("vetoed: automatic failover from veto-primary to veto-secondary will not happen"
                    + " in this outage").contains("proposed by instance " + gateway.instanceId(), "veto-primary judged down since");
            assertThat(gateway.autoFailover().detail()).isInstanceOf(AutoFailoverState.Vetoed.class);

            SwitchboardProcess again = SwitchboardProcess.run("failover", "veto", "--admin", adminUrl, "--token", token);
            assertThat(again.exit()).as(again.toString()).isEqualTo(FailoverCommand.REFUSED);
            assertThat(again.err()).startsWith("switchboard failover veto: refused (409): no automatic failover is armed");
            assertThat(again.out()).isEmpty();
        } finally {
            gateway.chaos().remove("veto-drill", "drill");
        }
    }
}
