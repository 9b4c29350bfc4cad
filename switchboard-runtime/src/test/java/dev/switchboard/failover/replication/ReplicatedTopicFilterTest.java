package dev.switchboard.failover.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReplicatedTopicFilterTest {

    @Test
    void internalTopicsOfKafkaMirrorMakerConnectAndSwitchboardAreNotReplicable() {
        for (String internal : List.of("__consumer_offsets", "__transaction_state", "__switchboard.switch-state",
                "mm2-offset-syncs.target.internal", "mm2-configs.source.internal", "source.checkpoints.internal",
                "orders.replica", "heartbeats")) {
            assertThat(ReplicatedTopicFilter.isReplicable(internal)).as(internal).isFalse();
        }
        for (String ordinary : List.of("orders", "_orders", "mm2", "heartbeats-of-payments", "internal.orders",
                "orders.internal-ish", "replica.orders")) {
            assertThat(ReplicatedTopicFilter.isReplicable(ordinary)).as(ordinary).isTrue();
        }
    }

    @Test
    void replicatedTopicsAreTheReplicableOnesOnBothClusters() {
        List<String> source = List.of("payments", "orders", "__consumer_offsets", "new-on-source", "heartbeats");
        Set<String> target = Set.of("orders", "payments", "__consumer_offsets", "heartbeats", "only-on-target",
                "source.checkpoints.internal");

        assertThat(ReplicatedTopicFilter.onBoth(source, target)).containsExactly("orders", "payments");
        assertThat(ReplicatedTopicFilter.onlyOnSource(source, target)).containsExactly("new-on-source");
    }
}
