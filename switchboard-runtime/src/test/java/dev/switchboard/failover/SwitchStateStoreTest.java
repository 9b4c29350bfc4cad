package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.config.ClusterConfig;
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
    }

    @AfterAll
    void stop() {
        secondary.close();
        primary.close();
    }

    @Test
    void switchWrittenWhileThePrimaryIsDownWinsWhenItComesBack() {
        assertThat(store.read()).isEmpty();
        SwitchState first = new SwitchState(1, "primary", Instant.now(), "test");
        assertThat(store.write(first)).containsExactly("state-primary", "state-secondary");
        assertThat(store.read()).contains(first);

        primary.stopBroker(0);
        SwitchState failover = first.next("secondary", "operator", Instant.now());
        assertThat(store.write(failover)).as("only the live cluster takes it").containsExactly("state-secondary");
        assertThat(store.read()).contains(failover);

        primary.startBroker(0);
        Map<String, Optional<SwitchState>> each = store.readEach();
        assertThat(each.get("state-primary")).as("the returning primary still holds the old state").contains(first);
        assertThat(each.get("state-secondary")).contains(failover);
        assertThat(store.read()).as("a new instance follows the highest epoch").contains(failover);

        assertThatThrownBy(() -> store.write(first.next("primary", "stale instance", Instant.now())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not above the current epoch 2");
    }

    private static ClusterConfig cluster(EmbeddedKafkaCluster cluster) {
        return new ClusterConfig(cluster.name(), cluster.bootstrapServers(), Map.of());
    }
}
