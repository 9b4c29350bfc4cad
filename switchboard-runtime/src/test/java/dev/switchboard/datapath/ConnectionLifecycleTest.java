package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** When a client connection gets its upstream connection, and what happens to requests sent before it has one. */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLifecycleTest {

    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        gateway = new GatewayFixture(cluster);
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void silentConnectionHasNoUpstreamUntilItsFirstRequest() throws Exception {
        try (RawKafkaSocket client = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort())) {
            Await.until(() -> connectionStates().contains("Accepted"), Duration.ofSeconds(10), "the connection to be accepted");
            ConnectionInfo silent = connections().stream().filter(c -> c.state().equals("Accepted")).findFirst().orElseThrow();
            assertThat(silent.upstream()).isNull();
            assertThat(silent.cluster()).isNull();

            client.apiVersions((short) 3);
            Await.until(() -> connectionStates().equals(List.of("Forwarding")), Duration.ofSeconds(10),
                    "the connection to forward");
            assertThat(connections().get(0).cluster()).isEqualTo("primary");
        }
    }

    @Test
    void requestsPipelinedBeforeTheUpstreamIsReadyAreAnsweredInOrder() throws Exception {
        short apiVersionsVersion = 3;
        short metadataVersion = 12;
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        burst.write(frame(ApiKeys.API_VERSIONS, apiVersionsVersion, 1,
                new ApiVersionsRequestData().setClientSoftwareName("burst").setClientSoftwareVersion("1")));
        for (int correlationId = 2; correlationId <= 20; correlationId++) {
            burst.write(frame(ApiKeys.METADATA, metadataVersion, correlationId, new MetadataRequestData().setTopics(null)));
        }
        try (RawKafkaSocket client = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort())) {
            client.writeRaw(burst.toByteArray()); // all twenty in one write, before any upstream exists
            for (int expected = 1; expected <= 20; expected++) {
                ByteBuffer response = client.readFrame();
                short headerVersion = expected == 1 ? ApiKeys.API_VERSIONS.responseHeaderVersion(apiVersionsVersion)
                        : ApiKeys.METADATA.responseHeaderVersion(metadataVersion);
                ByteBufferAccessor accessor = new ByteBufferAccessor(response);
                assertThat(new ResponseHeaderData(accessor, headerVersion).correlationId()).isEqualTo(expected);
                if (expected > 1) {
                    MetadataResponseData metadata = new MetadataResponseData(accessor, metadataVersion);
                    metadata.brokers().forEach(b -> assertThat(b.host()).isEqualTo(GatewayFixture.ADVERTISED_HOST));
                }
            }
        }
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    private List<ConnectionInfo> connections() {
        return gateway.gateway().status().clients().stream().flatMap(c -> c.details().stream()).toList();
    }

    private List<String> connectionStates() {
        return connections().stream().map(ConnectionInfo::state).toList();
    }

    private static byte[] frame(ApiKeys api, short version, int correlationId, ApiMessage body) {
        ByteBuffer encoded = RequestUtils.serialize(new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("burst"), api.requestHeaderVersion(version), body, version);
        ByteBuffer framed = ByteBuffer.allocate(4 + encoded.remaining()).putInt(encoded.remaining()).put(encoded);
        return framed.array();
    }
}
