package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.RawKafkaSocket;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broken clients: each bad input closes only its own connection, for a reason the gateway logs and counts,
 * while a healthy raw connection and a Java Admin client opened beforehand keep being served.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadClientInputTest {

    private static final int MAX_FRAME_KIB = 64;

    private GatewayFixture gateway;
    private RawKafkaSocket healthy;
    private Admin admin;

    @BeforeAll
    void start(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) throws IOException {
        gateway = new GatewayFixture(MAX_FRAME_KIB, cluster);
        healthy = new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort());
        healthy.apiVersions((short) 3);
        admin = Admin.create(gateway.clientProperties("healthy-admin"));
    }

    @AfterAll
    void stop() throws IOException {
        admin.close();
        healthy.close();
        gateway.close();
    }

    @AfterEach
    void othersKeepWorking() throws Exception {
        ApiVersionsResponseData versions = healthy.apiVersions((short) 3);
        assertThat(versions.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void frameLongerThanTheLimitClosesTheConnection() throws IOException {
        expectClosed("frame_too_large", socket -> {
            socket.writeRaw(ByteBuffer.allocate(4).putInt(MAX_FRAME_KIB * 1024 + 1).array());
        });
    }

    @Test
    void garbageBytesCloseTheConnection() throws IOException {
        expectClosed("unknown_api_key", socket -> {
            byte[] garbage = new byte[32];
            Arrays.fill(garbage, (byte) 0xFF);
            socket.sendFrame(garbage, 0, garbage.length);
        });
    }

    @Test
    void garbledRequestHeaderClosesTheConnection() throws IOException {
        expectClosed("bad_header", socket -> {
            // Metadata v12, correlation id 1, then a client id claiming 32767 bytes that never come.
            byte[] header = ByteBuffer.allocate(12).putShort((short) 3).putShort((short) 12).putInt(1)
                    .putShort(Short.MAX_VALUE).putShort((short) 0).array();
            socket.sendFrame(header, 0, header.length);
        });
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws IOException {
        expectClosed("frame_too_large", socket -> socket.writeRaw(new byte[]{(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2}));
    }

    @Test
    void httpRequestOnTheKafkaPortClosesTheConnection() throws IOException {
        expectClosed("frame_too_large", socket -> {
            // "GET " read as a size is ~1.1 GB: refused before anything is buffered.
            socket.writeRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
    }

    @Test
    void truncatedFrameClosesTheConnection() throws IOException {
        double before = closedCount("truncated_frame");
        try (RawKafkaSocket socket = connect()) {
            socket.writeRaw(ByteBuffer.allocate(12).putInt(100).putShort((short) 3).putShort((short) 12).putInt(1).array());
        }
        awaitClosedCount("truncated_frame", before);
    }

    @Test
    void tooShortFrameClosesTheConnection() throws IOException {
        expectClosed("bad_header", socket -> socket.sendFrame(new byte[]{0, 3}, 0, 2));
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws IOException {
        expectClosed("unknown_api_key", socket -> {
            byte[] request = ByteBuffer.allocate(12).putShort((short) 999).putShort((short) 0).putInt(7).putShort((short) -1)
                    .putShort((short) 0).array();
            socket.sendFrame(request, 0, request.length);
        });
    }

    @Test
    void withheldApiKeyClosesTheConnection() throws IOException {
        expectClosed("unknown_api_key", socket -> {
            short version = 0;
            socket.send(ApiKeys.DESCRIBE_QUORUM.id, version, ApiKeys.DESCRIBE_QUORUM.requestHeaderVersion(version),
                    new DescribeQuorumRequestData());
        });
    }

    @Test
    void versionOutsideTheNegotiatedRangeClosesTheConnection() throws IOException {
        expectClosed("version_not_negotiated", socket -> {
            ApiVersionsResponseData versions = socket.apiVersions((short) 3);
            short max = versions.apiKeys().find(ApiKeys.METADATA.id).maxVersion();
            short beyond = (short) (max + 1);
            socket.send(ApiKeys.METADATA.id, beyond, ApiKeys.METADATA.requestHeaderVersion(beyond), new MetadataRequestData());
        });
    }

    @Test
    void apiVersionsNewerThanTheGatewayGetsTheProtocolsAnswer() throws IOException {
        try (RawKafkaSocket socket = connect()) {
            short future = (short) (ApiKeys.API_VERSIONS.latestVersion() + 1);
            ApiVersionsResponseData answer = socket.apiVersionsFromTheFuture(future);
            assertThat(answer.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(answer.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo(ApiKeys.API_VERSIONS.latestVersion());
            assertThat(socket.apiVersions((short) 3).errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void clientThatDisconnectsWithARequestInFlightLeaksNothing() throws IOException {
        double before = closedCount("client_closed") + closedCount("client_io_error");
        for (int i = 0; i < 20; i++) {
            try (RawKafkaSocket socket = connect()) {
            socket.apiVersions((short) 3);
            short version = 13;
            socket.send(ApiKeys.METADATA.id, version, ApiKeys.METADATA.requestHeaderVersion(version),
                        new MetadataRequestData().setTopics(null));
            short fetchVersion = 17;
            socket.send(ApiKeys.FETCH.id, fetchVersion, ApiKeys.FETCH.requestHeaderVersion(fetchVersion),
                        new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setReplicaId(-1));
            }
        }
        // A client that closes with unread bytes resets the connection; both are the client leaving.
        Await.until(() -> closedCount("client_closed") + closedCount("client_io_error") >= before + 20,
                Duration.ofSeconds(10), "20 connections closed by their clients");
    }

    @Test
    void apiVersionsListsOnlyWhatTheGatewayForwards() throws IOException {
        try (RawKafkaSocket socket = connect()) {
            ApiVersionsResponseData versions = socket.apiVersions((short) 3);
            Set<Short> offered = versions.apiKeys().stream().map(ApiVersionsResponseData.ApiVersion::apiKey)
                    .collect(Collectors.toSet());
            assertThat(offered).contains(ApiKeys.PRODUCE.id, ApiKeys.FETCH.id, ApiKeys.METADATA.id);
            for (ApiKeys withheld : List.of(ApiKeys.DESCRIBE_QUORUM, ApiKeys.WRITE_TXN_MARKERS, ApiKeys.ADD_RAFT_VOTER)) {
                assertThat(offered).doesNotContain(withheld.id);
            }
            for (ApiVersionsResponseData.ApiVersion api : versions.apiKeys()) {
                ApiKeys key = ApiKeys.forId(api.apiKey());
                assertThat(api.minVersion()).isGreaterThanOrEqualTo(key.oldestVersion());
                assertThat(api.maxVersion()).isLessThanOrEqualTo(key.latestVersion(false));
            }
            // A topic and its copy on the other cluster have different ids: what a client may send across a switch
            // names topics by name.
            assertThat(versions.apiKeys().find(ApiKeys.PRODUCE.id).maxVersion()).isEqualTo((short) 12);
            assertThat(versions.apiKeys().find(ApiKeys.OFFSET_COMMIT.id).maxVersion()).isEqualTo((short) 9);
            assertThat(versions.apiKeys().find(ApiKeys.OFFSET_FETCH.id).maxVersion()).isEqualTo((short) 9);
            assertThat(versions.apiKeys().find(ApiKeys.FETCH.id).maxVersion()).isEqualTo(ApiKeys.FETCH.latestVersion(false));
        }
    }

    private RawKafkaSocket connect() throws IOException {
        return new RawKafkaSocket("127.0.0.1", gateway.bootstrapPort());
    }

    interface BadClient {
        void misbehave(RawKafkaSocket socket) throws IOException;
    }

    /** Runs a bad client and asserts that the gateway, not the client, closed the connection, for {@code cause}. */
    private void expectClosed(String cause, BadClient client) throws IOException {
        double before = closedCount(cause);
        try (RawKafkaSocket socket = connect()) {
            client.misbehave(socket);
            assertThat(socket.closedByPeer()).as("gateway closed the connection").isTrue();
        }
        awaitClosedCount(cause, before);
    }

    private void awaitClosedCount(String cause, double before) {
        Await.until(() -> closedCount(cause) > before, Duration.ofSeconds(10), "a connection closed for " + cause);
    }

    private double closedCount(String cause) {
        Counter counter = gateway.gateway().metrics().registry().find("switchboard.connections.closed").tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }
}
