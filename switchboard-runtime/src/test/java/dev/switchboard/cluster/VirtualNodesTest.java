package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

/** How clusters' brokers map onto the node ids clients see. */
class VirtualNodesTest {

    @Test
    void theFirstClusterKeepsItsIdsAndTheNextTakesThemInOrder() {
        VirtualNodes nodes = new VirtualNodes();
        assertThat(nodes.map("primary", List.of(9, 1, 5))).isEqualTo(Map.of(1, 1, 5, 5, 9, 9));
        assertThat(nodes.isIdentity("primary")).isTrue();

        assertThat(nodes.map("secondary", List.of(7, 8))).isEqualTo(Map.of(7, 1, 8, 5));
        assertThat(nodes.isIdentity("secondary")).isFalse();
        assertThat(nodes.realId("secondary", 5)).isEqualTo(OptionalInt.of(8));
        assertThat(nodes.realId("secondary", 9)).as("the secondary has no third broker").isEmpty();
    }

    @Test
    void aBrokerBeyondTheSharedIdsKeepsItsOwnIdIfFreeElseTakesTheNextAboveAll() {
        VirtualNodes nodes = new VirtualNodes();
        nodes.map("primary", List.of(1, 2));
        assertThat(nodes.map("secondary", List.of(10, 11, 12, 1))).isEqualTo(Map.of(1, 1, 10, 2, 11, 11, 12, 12));
        assertThat(nodes.map("primary", List.of(11))).as("11 is taken by the secondary's broker").isEqualTo(Map.of(11, 11));
        assertThat(nodes.map("primary", List.of(3))).isEqualTo(Map.of(3, 12));
    }

    @Test
    void aMappingIsNeverChangedOnceGiven() {
        VirtualNodes nodes = new VirtualNodes();
        nodes.map("primary", List.of(1, 2));
        nodes.map("secondary", List.of(5, 6));
        nodes.adopt(Map.of("secondary", Map.of(5, 2, 7, 3)));
        assertThat(nodes.virtualId("secondary", 5)).as("kept: clients already hold it").isEqualTo(1);
        assertThat(nodes.virtualId("secondary", 7)).as("adopted from another instance").isEqualTo(3);
        assertThat(nodes.virtualId("secondary", -1)).as("no node stays no node").isEqualTo(-1);
    }

    @Test
    void instancesThatSeeTheSameClustersAgree() {
        VirtualNodes a = new VirtualNodes();
        VirtualNodes b = new VirtualNodes();
        for (VirtualNodes nodes : List.of(a, b)) {
            nodes.map("primary", List.of(3, 1, 2));
            nodes.map("secondary", List.of(20, 10));
        }
        assertThat(a.snapshot()).isEqualTo(b.snapshot());
    }
}
