package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

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
 * One gateway for a test class of chaos rules felt by real clients, in front of the shared primary cluster. Each
 * test starts with no rule and ends with none, and no client ever saw an upstream address.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayWithChaosRules {

    private static final ObjectMapper JSON = new ObjectMapper();

    protected EmbeddedKafkaCluster cluster;
    protected GatewayFixture fixture;
    protected Gateway gateway;

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

    protected static JsonNode rule(String json) throws Exception {
        return JSON.readTree(json);
    }

    /** Adds the rule {@code json} as the actor {@code test}. */
    protected void addRule(String json) throws Exception {
        gateway.chaos().add(rule(json), "test");
    }
}
