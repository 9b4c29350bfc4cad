package dev.switchboard.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One upstream Kafka cluster.
 *
 * @param name             how the gateway, its API and its metrics refer to the cluster
 * @param bootstrapServers comma-separated host:port list, as a Kafka client takes it
 * @param properties       Kafka client properties for the gateway's own connections to this cluster, chiefly
 *                         security ({@code security.protocol}, {@code ssl.*}, {@code sasl.*})
 */
public record ClusterConfig(String name, String bootstrapServers, Map<String, String> properties) {

    /** Upstream security protocols the data path speaks. */
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /**
     * The {@code ssl.*} and {@code sasl.*} properties the data path honours. Any other is refused: the
     * discovery client would apply it and the data path would not, and the two must reach the cluster alike.
     */
    public static final List<String> SECURITY_PROPERTIES = List.of(
            "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type",
            "ssl.keystore.location", "ssl.keystore.password", "ssl.keystore.type", "ssl.key.password",
            "ssl.endpoint.identification.algorithm", "sasl.mechanism", "sasl.jaas.config");

    public ClusterConfig {
        ConfigException.requireText(name, "name");
        ConfigException.require(name.matches("[A-Za-z0-9._-]+"), "name",
                "may contain only letters, digits, '.', '_' and '-', was '" + name + "'");
        ConfigException.requireText(bootstrapServers, "bootstrapServers");
        for (String server : bootstrapServers.split(",")) {
            HostPort.parse(server.trim(), "bootstrapServers");
        }
        properties = properties == null ? Map.of() : properties;
        for (Map.Entry<String, String> property : properties.entrySet()) {
            ConfigException.require(property.getValue() != null, "properties." + property.getKey(),
                    "has no value; write '' for an empty one");
            boolean security = property.getKey().startsWith("ssl.") || property.getKey().startsWith("sasl.");
            ConfigException.require(!security || SECURITY_PROPERTIES.contains(property.getKey()), "properties." + property.getKey(),
                    "is not supported on the gateway's upstream connections; supported are " + SECURITY_PROPERTIES);
        }
        properties = Map.copyOf(properties);
        ConfigException.require(!properties.containsKey("bootstrap.servers"), "properties.bootstrap.servers",
                "set bootstrapServers on the cluster instead");
        String protocol = securityProtocol(properties);
        ConfigException.require(SUPPORTED_PROTOCOLS.contains(protocol), "properties.security.protocol",
                "must be one of " + SUPPORTED_PROTOCOLS + ", was " + protocol);
        try {
            tls(properties);
            sasl(properties);
        } catch (ConfigException e) {
            throw e.under("properties");
        }
    }

    public String securityProtocol() {
        return securityProtocol(properties);
    }

    /** TLS settings when the protocol is SSL or SASL_SSL. Reads the key and trust stores, so call it once. */
    public Optional<TlsConfig> tls() {
        return tls(properties);
    }

    /** SASL mechanism and credentials when the protocol is SASL_PLAINTEXT or SASL_SSL. */
    public Optional<SaslConfig> sasl() {
        return sasl(properties);
    }

    private static Optional<TlsConfig> tls(Map<String, String> properties) {
        return securityProtocol(properties).endsWith("SSL") ? Optional.of(TlsConfig.from(properties)) : Optional.empty();
    }

    private static Optional<SaslConfig> sasl(Map<String, String> properties) {
        return securityProtocol(properties).startsWith("SASL_") ? Optional.of(SaslConfig.from(properties)) : Optional.empty();
    }

    private static String securityProtocol(Map<String, String> properties) {
        return properties.getOrDefault("security.protocol", "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
    }

    /** Passwords and the JAAS config (which holds one) are hidden, so the config can be logged. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(properties);
        shown.replaceAll((key, value) -> key.contains("password") || key.equals("sasl.jaas.config") ? "(hidden)" : value);
        return "ClusterConfig[name=" + name + ", bootstrapServers=" + bootstrapServers + ", properties=" + shown + "]";
    }
}
