package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.switchboard.testkit.SelfSignedKeyStores;
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

    private SelfSignedKeyStores stores;

    @Test
    void readsAValidFile() throws IOException {
        GatewayConfig config = ConfigLoader.load(write(VALID));
        assertThat(config.listener().advertisedHost()).isEqualTo("gateway.example.com");
        assertThat(config.listener().nodePorts()).isEqualTo(new PortRange(9093, 9192));
        assertThat(config.listener().maxFrameBytes()).isEqualTo(ListenerConfig.DEFAULT_MAX_FRAME_BYTES);
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 8080, AdminAuthConfig.DEFAULT));
        assertThat(config.admin().auth().tokenPath()).isEqualTo(Path.of(System.getProperty("user.home"), ".switchboard", "admin-token"));
        assertThat(config.security()).isEqualTo(SecurityConfig.NONE);
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
        expectError(VALID.replace("security.protocol: PLAINTEXT", "security.protocol: TLS"),
                "clusters[0].properties.security.protocol: must be one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL], was TLS");
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
    void readsTheRecoveryWindowAndLimitsAndNamesWhatIsWrong() throws IOException {
        GatewayConfig defaults = ConfigLoader.load(write(VALID));
        assertThat(defaults.failover().recovery().activeWindowDuration()).isEqualTo(RecoveryConfig.DEFAULT_ACTIVE_WINDOW);
        assertThat(defaults.failover().recovery().maxApplications()).isEqualTo(RecoveryConfig.DEFAULT_MAX_APPLICATIONS);

        String recovery = VALID + "failover:\n  recovery: {activeWindow: 30s, forgetAfter: 1h, maxApplications: 500}\n";
        RecoveryConfig read = ConfigLoader.load(write(recovery)).failover().recovery();
        assertThat(read.activeWindowDuration()).hasSeconds(30);
        assertThat(read.forgetAfterDuration()).hasHours(1);
        assertThat(read.maxApplications()).isEqualTo(500);

        expectError(recovery.replace("activeWindow: 30s", "activeWindow: soon"),
                "failover.recovery.activeWindow: 'soon' is not a duration");
        expectError(recovery.replace("forgetAfter: 1h", "forgetAfter: 10s"),
                "failover.recovery.forgetAfter: must be at least activeWindow (30s), was 10s");
        expectError(recovery.replace("maxApplications: 500", "maxApplications: 0"),
                "failover.recovery.maxApplications: must be between 1 and 1000000, was 0");
        expectError(recovery.replace("maxApplications", "maxApps"), "failover.recovery.maxApps: is not a known key");
    }

    @Test
    void readsUpstreamTlsAndSasl() throws IOException {
        ClusterConfig cluster = ConfigLoader.load(write(secure())).cluster("secure").orElseThrow();
        assertThat(cluster.securityProtocol()).isEqualTo("SASL_SSL");
        TlsConfig tls = cluster.tls().orElseThrow();
        assertThat(tls.trustManagers()).isNotNull();
        assertThat(tls.keyManagers()).isNotNull();
        assertThat(tls.verifyHostname()).as("Kafka's default, https").isTrue();
        assertThat(cluster.sasl()).contains(new SaslConfig("SCRAM-SHA-512", "gateway", "s3cret"));
        assertThat(cluster.toString()).contains("SCRAM-SHA-512").doesNotContain("s3cret").doesNotContain(stores.password());
        assertThat(cluster.sasl().orElseThrow().toString()).doesNotContain("s3cret");

        ClusterConfig unverified = ConfigLoader.load(write(secure().replace("ssl.keystore.type: PKCS12",
                "ssl.keystore.type: PKCS12\n      ssl.endpoint.identification.algorithm: ''"))).cluster("secure").orElseThrow();
        assertThat(unverified.tls().orElseThrow().verifyHostname()).isFalse();
        ClusterConfig plain = ConfigLoader.load(write(secure().replace("SASL_SSL", "SASL_PLAINTEXT"))).cluster("secure").orElseThrow();
        assertThat(plain.tls()).isEmpty();
        assertThat(plain.sasl()).isPresent();
    }

    @Test
    void upstreamSecurityErrorsNameTheProperty() throws IOException {
        String secure = secure();
        String prefix = "clusters[0].properties.";
        String missing = dir.resolve("missing.p12").toString();
        expectError(secure.replace("      sasl.mechanism: SCRAM-SHA-512\n", ""), prefix
                + "sasl.mechanism: must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512] (the gateway cannot authenticate its connections "
                + "with GSSAPI or OAUTHBEARER), was GSSAPI, Kafka's default");
        expectError(secure.replace("sasl.mechanism: SCRAM-SHA-512", "sasl.mechanism: OAUTHBEARER"), prefix + "sasl.mechanism: must be one of");
        expectError(secure.replace("sasl.mechanism: SCRAM-SHA-512", "sasl.mechanism: GSSAPI"),
                prefix + "sasl.mechanism: must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]");
        expectError(secure.replaceAll("      sasl.jaas.config: .*\n", ""), prefix + "sasl.jaas.config: is required for SASL");
        expectError(secure.replace("password=\"s3cret\";", "password=\"s3cret\""),
                prefix + "sasl.jaas.config: cannot be parsed: JAAS config entry not terminated by semi-colon");
        expectError(secure.replace(" password=\"s3cret\"", ""), prefix + "sasl.jaas.config: has no password=\"...\" option");
        expectError(secure.replace(stores.trustStore().toString(), missing),
                prefix + "ssl.truststore.location: cannot read " + missing + ": no such file");
        expectError(secure.replace(stores.trustStore().toString(), dir.toString()),
                prefix + "ssl.truststore.location: cannot read " + dir);
        expectError(secure.replace("ssl.truststore.password: " + stores.password(), "ssl.truststore.password: wrong"),
                prefix + "ssl.truststore.password: does not open " + stores.trustStore());
        expectError(secure.replace("ssl.truststore.type: PKCS12", "ssl.truststore.type: PEM"),
                prefix + "ssl.truststore.type: must be one of [JKS, PKCS12], was PEM");
        expectError(secure.replace("      ssl.keystore.password: " + stores.password() + "\n", ""),
                prefix + "ssl.keystore.password: is required when ssl.keystore.location is set");
        expectError(secure.replace("ssl.keystore.type: PKCS12", "ssl.keystore.type: PKCS12\n      ssl.key.password: wrong"),
                prefix + "ssl.key.password: does not unlock the key in " + stores.keyStore());
        expectError(secure.replace("ssl.keystore.type: PKCS12", "ssl.keystore.type: PKCS12\n      ssl.endpoint.identification.algorithm: ldaps"),
                prefix + "ssl.endpoint.identification.algorithm: must be https");
        expectError(secure.replace("ssl.keystore.type: PKCS12", "ssl.keystore.type: PKCS12\n      ssl.endpoint.identification.algorithm:"),
                prefix + "ssl.endpoint.identification.algorithm: has no value; write '' for an empty one");
        expectError(secure.replace("ssl.keystore.type: PKCS12", "ssl.keystore.type: PKCS12\n      ssl.enabled.protocols: TLSv1.3"),
                prefix + "ssl.enabled.protocols: is not supported on the gateway's upstream connections; supported are [");
    }

    @Test
    void readsClientSecurityAndNamesWhatIsWrong() throws IOException {
        GatewayConfig config = ConfigLoader.load(write(VALID + """
                security:
                  sasl: {mechanisms: [SCRAM-SHA-512, PLAIN], maxSessionMs: 600000}
                  users:
                    - {name: orders-app, password: s3cret}
                  acls:
                    superUsers: [User:ops]
                    bindings:
                      - {resourceType: topic, name: orders, principal: User:orders-app, operation: write}
                      - {resourceType: group, name: orders-, patternType: prefixed, principal: User:orders-app, operation: read}
                """));
        assertThat(config.security().sasl()).isEqualTo(new ClientSaslConfig(List.of("SCRAM-SHA-512", "PLAIN"), 600_000L, false));
        assertThat(config.security().users()).extracting(UserConfig::name, UserConfig::mechanisms)
                .containsExactly(tuple("orders-app", UserConfig.SCRAM_MECHANISMS));
        assertThat(config.security().acls().bindings()).extracting(binding -> binding.binding().toString()).containsExactly(
                "(pattern=ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL), entry=(principal=User:orders-app,"
                        + " host=*, operation=WRITE, permissionType=ALLOW))",
                "(pattern=ResourcePattern(resourceType=GROUP, name=orders-, patternType=PREFIXED), entry=(principal=User:orders-app,"
                        + " host=*, operation=READ, permissionType=ALLOW))");

        expectError(VALID + "security:\n  sasl: {mechanisms: [GSSAPI]}\n",
                "security.sasl.mechanisms[0]: must be one of [SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER], was GSSAPI");
        expectError(VALID + "security:\n  acls:\n    bindings:\n      - {resourceType: topic, name: x, principal: User:a, operation: scribble}\n",
                "security.acls.bindings[0].operation: 'scribble' is not one of [all, read, write, create, delete, alter, describe,"
                        + " cluster-action, describe-configs, alter-configs, idempotent-write, create-tokens, describe-tokens, two-phase-commit]");
        expectError(VALID + "security:\n  users:\n    - {name: a, password: b}\n",
                "security.users: need sasl: {mechanisms: [...]} beside them, or no client could authenticate as them");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(InvalidConfigException.class)
                .hasMessage(missing + ": (file): does not exist");
    }

    /** A SASL_SSL cluster with SCRAM credentials, a trust store and a key store for mutual TLS. */
    private String secure() {
        if (stores == null) {
            stores = SelfSignedKeyStores.create(dir, "gateway", SelfSignedKeyStores.LOCAL_NAMES);
        }
        return """
                listener:
                  bootstrapPort: 9092
                  nodePorts: {first: 9093, last: 9192}
                clusters:
                  - name: secure
                    bootstrapServers: kafka-a1:9093
                    properties:
                      security.protocol: SASL_SSL
                      sasl.mechanism: SCRAM-SHA-512
                      sasl.jaas.config: 'org.apache.kafka.common.security.scram.ScramLoginModule required username="gateway" password="s3cret";'
                      ssl.truststore.location: %1$s
                      ssl.truststore.password: %3$s
                      ssl.truststore.type: PKCS12
                      ssl.keystore.location: %2$s
                      ssl.keystore.password: %3$s
                      ssl.keystore.type: PKCS12
                """.formatted(stores.trustStore(), stores.keyStore(), stores.password());
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
