package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * librdkafka, through kcat: metadata, produce and consume through the gateway. CI installs kcat; elsewhere
 * the test is skipped when kcat is missing, but never in CI.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KcatThroughGatewayTest {

    private EmbeddedKafkaCluster cluster;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "three-brokers", nodeIds = {1, 5, 9}) EmbeddedKafkaCluster cluster) {
        Kcat.assumeInstalled();
        this.cluster = cluster;
        this.gateway = new GatewayFixture(cluster);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void kcatListsMetadataWithGatewayAddressesOnly() throws Exception {
        cluster.createTopic("kcat-metadata", 3, 3);
        JsonNode metadata = new ObjectMapper().readTree(kcat(null, "-L", "-J", "-t", "kcat-metadata"));
        Map<Integer, Integer> nodePorts = gateway.gateway().status().listeners().nodePorts();
        assertThat(metadata.get("brokers")).hasSize(3);
        for (JsonNode broker : metadata.get("brokers")) {
            assertThat(broker.get("name").asText())
                    .isEqualTo(GatewayFixture.ADVERTISED_HOST + ":" + nodePorts.get(broker.get("id").asInt()));
        }
        assertThat(metadata.get("topics").get(0).get("partitions")).hasSize(3);
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    @Test
    void kcatProducesAndConsumesEveryRecordOnce() throws Exception {
        cluster.createTopic("kcat-records", 3, 3);
        List<String> sent = Records.numbered("kcat", 500);
        kcat(String.join("\n", sent) + "\n", "-P", "-t", "kcat-records", "-X", "acks=all");
        String consumed = kcat(null, "-C", "-t", "kcat-records", "-o", "beginning", "-e", "-q", "-f", "%s\\n");
        Records.assertExactlyOnce(sent, consumed.lines().filter(l -> !l.isEmpty()).toList());
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    private String kcat(String stdin, String... args) throws IOException, InterruptedException {
        return Kcat.succeed(gateway.bootstrap(), stdin, args);
    }
}
