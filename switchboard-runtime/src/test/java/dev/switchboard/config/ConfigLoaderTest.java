package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String VALID = """
            listener:
              bindHost: 0.0.0.0
              advertisedHost: gateway.example.com
              bootstrapPort: 9092
              nodePorts: {first: 9093, last: 9192}
            admin:
              port: 8080
            clusters:
              - name: primary
                bootstrapServers: kafka-a1:9092,kafka-a2:9092
                properties:
                  security.protocol: PLAINTEXT
              - name: secondary
                bootstrapServers: kafka-b1:9092
            activeCluster: primary
            """;

    @TempDir
    Path dir;

    @Test
    void readsAValidFile() throws IOException {
        GatewayConfig config = ConfigLoader.load(write(VALID));
        assertThat(config.listener().advertisedHost()).isEqualTo("gateway.example.com");
        assertThat(config.listener().nodePorts()).isEqualTo(new PortRange(9093, 9192));
        assertThat(config.listener().maxFrameBytes()).isEqualTo(ListenerConfig.DEFAULT_MAX_FRAME_BYTES);
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 8080));
        assertThat(config.clusters()).extracting(ClusterConfig::name).containsExactly("primary", "secondary");
        assertThat(config.cluster("secondary").orElseThrow().properties()).isEmpty();
        assertThat(config.activeCluster()).isEqualTo("primary");
    }

    @Test
    void namesTheFileTheKeyAndTheProblem() throws IOException {
        expectError(VALID.replace("bootstrapPort: 9092", "bootstrapPort: 70000"),
                "listener.bootstrapPort: must be a port between 1 and 65535, was 70000");
        expectError(VALID.replace("last: 9192", "last: 9000"), "listener.nodePorts.last: must not be below first (9093), was 9000");
        expectError(VALID.replace("activeCluster: primary", "activeCluster: tertiary"),
                "activeCluster: 'tertiary' is not one of the configured clusters");
        expectError(VALID.replace("kafka-b1:9092", "kafka-b1"), "clusters[1].bootstrapServers: 'kafka-b1' is not host:port");
        expectError(VALID.replace("name: secondary", "name: primary"), "clusters[1].name: 'primary' is used by another cluster");
        expectError(VALID.replace("security.protocol: PLAINTEXT", "security.protocol: SASL_SSL"),
                "clusters[0].properties.security.protocol: must be one of");
        expectError(VALID.replace("  port: 8080", "  prot: 8080"), "admin.prot: is not a known key");
        expectError(VALID.replace("bootstrapPort: 9092", "bootstrapPort: ninety"), "listener.bootstrapPort");
        expectError(VALID.replace("nodePorts: {first: 9093, last: 9192}", "nodePorts: {first: 9092, last: 9192}"),
                "listener.nodePorts: must not contain the bootstrap port 9092");
        expectError("clusters: [\n", "(syntax): is not valid YAML");
        expectError("", "(document): is empty");
        expectError(VALID.replace("  bootstrapPort: 9092\n", ""), "listener.bootstrapPort: is required");
        expectError(VALID.replace("clusters:", "clusterz:"), "clusterz: is not a known key");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(InvalidConfigException.class)
                .hasMessage(missing + ": (file): does not exist");
    }

    private void expectError(String yaml, String expected) throws IOException {
        Path file = write(yaml);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(expected);
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "gateway", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
