package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One gateway per test class in front of the shared primary cluster, for chaos rules felt by real clients: every
 * rule is removed after each test, which also checks that no upstream address reached a client.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayWithChaosRules {

    static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    EmbeddedKafkaCluster cluster;
    GatewayFixture fixture;
    Gateway gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        this.fixture = new GatewayFixture(cluster);
        this.gateway = fixture.gateway();
    }

    @AfterAll
    void stopGateway() {
        fixture.close();
    }

    @AfterEach
    void removeRulesAndCheckNoUpstreamAddressReachedAClient() {
        gateway.chaos().reset("test");
        assertThat(gateway.chaos().list()).isEmpty();
        assertThat(fixture.detector().sightings()).isEmpty();
    }

    static JsonNode rule(String json) throws Exception {
        return JSON.readTree(json);
    }

    void addRule(String json) throws Exception {
        gateway.chaos().add(rule(json), "test");
    }
}
