package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import org.apache.kafka.clients.admin.Admin;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The switch state on two real clusters, one of which dies and comes back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwitchStateStoreTest {

    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private SwitchStateStore store;

    @BeforeAll
    void start() {
        primary = EmbeddedKafkaCluster.start("state-primary");
        secondary = EmbeddedKafkaCluster.start("state-secondary");
        store = new SwitchStateStore(List.of(cluster(primary), cluster(secondary)));
        // As every gateway's store does: following is what sends a cluster that was down the state it missed.
        store.follow(new SwitchStateStore.Listener() {
            @Override
            public void switchState(String cluster, SwitchState state) {
            }

            @Override
            public void nodeMap(String cluster, NodeMap nodes) {
            }

            @Override
            public void instanceReport(String cluster, InstanceReport report) {
            }
        });
    }

    @AfterAll
    void stop() {
        store.close();
        secondary.close();
        primary.close();
    }

    @Test
    void switchWrittenWhileThePrimaryIsDownWinsWhenItComesBack() {
        long before = store.read().map(SwitchState::epoch).orElse(0L);
        SwitchState first = new SwitchState(before + 1, "state-primary", Instant.now(), "test");
        assertThat(store.write(first)).containsExactly("state-primary", "state-secondary");
        assertThat(store.read()).contains(first);

        primary.stopBroker(0);
        SwitchState failover = first.next("state-secondary", "operator", Instant.now());
        assertThat(store.write(failover)).as("only the live cluster takes it").containsExactly("state-secondary");
        assertThat(store.read()).contains(failover);

        primary.startBroker(0);
        // Whether the returning primary still holds the old state when first read depends on how soon the write
        // that missed it is sent again; either way a new instance follows the highest epoch, and the primary gets it.
        assertThat(store.read()).as("a new instance follows the highest epoch").contains(failover);
        Await.until(() -> store.readEach().get("state-primary").equals(Optional.of(failover)), Duration.ofSeconds(60),
                "the returning primary to be given the switch written while it was down");
        assertThat(store.readEach().get("state-secondary")).contains(failover);

        assertThatThrownBy(() -> store.write(first.next("state-primary", "stale instance", Instant.now())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not above the current epoch " + failover.epoch());
    }

    @Test
    void newGatewayStartsOnTheClusterTheSwitchStateNames() throws Exception {
        SwitchState toSecondary = store.read().map(s -> s.next("state-secondary", "operator", Instant.now()))
                .orElse(new SwitchState(1, "state-secondary", Instant.now(), "operator"));
        store.write(toSecondary);
        secondary.createTopic("only-on-secondary", 1, 1);
        // The config says primary; the recorded switch says secondary, and wins.
        try (GatewayFixture gateway = new GatewayFixture(primary, secondary);
             Admin admin = Admin.create(gateway.clientProperties("follower-check"))) {
            assertThat(gateway.gateway().config().activeCluster()).isEqualTo("state-primary");
            assertThat(gateway.gateway().status().activeCluster()).isEqualTo("state-secondary");
            assertThat(gateway.gateway().status().switchEpoch()).isEqualTo(toSecondary.epoch());
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).as("served by the secondary").contains("only-on-secondary");
        }
    }

    @Test
    void switchStateNamingAnUnknownClusterIsIgnored() {
        SwitchState elsewhere = store.read().map(s -> s.next("not-configured", "operator", Instant.now()))
                .orElse(new SwitchState(1, "not-configured", Instant.now(), "operator"));
        store.write(elsewhere);
        try (GatewayFixture gateway = new GatewayFixture(primary, secondary)) {
            assertThat(gateway.gateway().status().activeCluster()).isEqualTo("state-primary");
            assertThat(gateway.gateway().status().switchEpoch()).isNull();
        }
    }

    private static ClusterConfig cluster(EmbeddedKafkaCluster cluster) {
        return new ClusterConfig(cluster.name(), cluster.bootstrapServers(), Map.of());
    }
}
