package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void invalidConfigStopsStartupNamingFileAndKey() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listener:
                  bootstrapPort: 9092
                  nodePorts: {first: 9093, last: 9192}
                clusters:
                  - name: primary
                    bootstrapServers: kafka:9092
                activeCluster: secondary
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SwitchboardCommand.commandLine().setErr(new PrintWriter(err, true)).execute("serve", "--config", file.toString());
        assertThat(exit).isEqualTo(ServeCommand.CONFIG_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Invalid configuration: " + file + ": activeCluster: 'secondary' is not one of the configured clusters");
    }

    @Test
    void servesTheClusterAConfigFileNames() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start("from-yaml")) {
            int[] ports = FreePorts.distinct(2);
            int bootstrapPort = ports[0];
            int nodePort = ports[1];
            Path file = dir.resolve("gateway.yaml");
            Files.writeString(file, """
                    listener:
                      bindHost: 127.0.0.1
                      advertisedHost: 127.0.0.1
                      bootstrapPort: %d
                      nodePorts: {first: %d, last: %d}
                    admin:
                      port: 0
                      auth: {tokenFile: %s}
                    clusters:
                      - name: from-yaml
                        bootstrapServers: %s
                        properties:
                          security.protocol: PLAINTEXT
                    activeCluster: from-yaml
                    """.formatted(bootstrapPort, nodePort, nodePort, dir.resolve("admin-token"), cluster.bootstrapServers()));
            try (RunningGateway running = ServeCommand.start(ConfigLoader.load(file));
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + bootstrapPort))) {
                Node node = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
                assertThat(node.host()).isEqualTo("127.0.0.1");
                assertThat(node.port()).isEqualTo(nodePort);
                assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                        .isEqualTo(running.gateway().config().listener().clusterId());
                assertThat(running.gateway().ready()).isTrue();
            }
        }
    }
}
