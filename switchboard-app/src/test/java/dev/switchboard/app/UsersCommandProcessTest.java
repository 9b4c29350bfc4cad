package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.support.AuthenticationProbe;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.SaslClients;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code switchboard users add|list|remove} as processes of their own: a user added with its password on stdin
 * authenticates a Java client at once, the listing shows names and mechanisms and nothing secret, and a removed user
 * is refused. Bad input exits non-zero, saying what is wrong.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersCommandProcessTest {

    private GatewayWithAdminApi running;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "users-app") EmbeddedKafkaCluster cluster) {
        SecurityConfig security = new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), null), List.of());
        running = new GatewayWithAdminApi(GatewayFixture.withSecurity(security, cluster));
    }

    @AfterAll
    void stopGateway() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void aUserAddedFromTheCliAuthenticatesUntilRemoved() throws Exception {
        SwitchboardProcess added = running.runWithInput("erin-secret\n", "users", "add", "erin@payments", "--mechanism", "SCRAM-SHA-256");
        assertThat(added.exit()).as(added.toString()).isZero();
        assertThat(added.outLines()).containsExactly("User erin@payments can authenticate with SCRAM-SHA-256 and PLAIN (every gateway instance)");
        assertThat(authenticates("SCRAM-SHA-256", "erin@payments", "erin-secret")).isTrue();
        assertThat(authenticates("PLAIN", "erin@payments", "erin-secret")).isTrue();

        SwitchboardProcess listed = running.run("users", "list");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.outLines().get(0).split("\\s+")).containsExactly("NAME", "MECHANISMS", "CHANGED");
        assertThat(listed.outLines()).anySatisfy(line -> assertThat(line).startsWith("erin@payments").contains("SCRAM-SHA-256"));
        assertThat(listed.out()).doesNotContain("erin-secret").doesNotContainIgnoringCase("salt").doesNotContainIgnoringCase("key");

        SwitchboardProcess removed = running.run("users", "remove", "erin@payments");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(removed.outLines()).containsExactly("Removed user erin@payments");
        assertThat(authenticates("SCRAM-SHA-256", "erin@payments", "erin-secret")).isFalse();
    }

    @Test
    void badInputIsRefusedSayingWhy() throws Exception {
        SwitchboardProcess noPassword = running.runWithInput("", "users", "add", "frank");
        assertThat(noPassword.exit()).isEqualTo(1);
        assertThat(noPassword.err()).contains("no password given");

        SwitchboardProcess badMechanism = running.runWithInput("pw\n", "users", "add", "frank", "--mechanism", "MD5");
        assertThat(badMechanism.exit()).isEqualTo(ChaosCommand.REFUSED);
        assertThat(badMechanism.err()).contains("refused (400)").contains("mechanism MD5 is not one of [SCRAM-SHA-512, SCRAM-SHA-256]");

        SwitchboardProcess unknown = running.run("users", "remove", "nobody");
        assertThat(unknown.exit()).isEqualTo(ChaosCommand.REFUSED);
        assertThat(unknown.err()).contains("refused (404): no user named 'nobody'");
        assertThat(running.gateway().users().list()).noneMatch(user -> user.name().equals("frank"));
    }

    private boolean authenticates(String mechanism, String user, String password) throws Exception {
        return AuthenticationProbe.listsTopics(SaslClients.properties(running.fixture().clientProperties("users-cli-check"),
                mechanism, user, password));
    }
}
