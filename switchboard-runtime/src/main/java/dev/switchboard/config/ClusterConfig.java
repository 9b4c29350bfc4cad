package dev.switchboard.config;

import java.util.Map;
import java.util.Set;

/**
 * One upstream Kafka cluster.
 *
 * @param name             how the gateway, its API and its metrics refer to the cluster
 * @param bootstrapServers comma-separated host:port list, as a Kafka client takes it
 * @param properties       Kafka client properties for the gateway's own connections to this cluster, chiefly
 *                         security ({@code security.protocol}, {@code ssl.*})
 */
public record ClusterConfig(String name, String bootstrapServers, Map<String, String> properties) {

    /** Upstream security protocols the data path speaks today. */
    public static final Set<String> SUPPORTED_PROTOCOLS = Set.of("PLAINTEXT");

    public ClusterConfig {
        ConfigException.requireText(name, "name");
        ConfigException.require(name.matches("[A-Za-z0-9._-]+"), "name",
                "may contain only letters, digits, '.', '_' and '-', was '" + name + "'");
        ConfigException.requireText(bootstrapServers, "bootstrapServers");
        for (String server : bootstrapServers.split(",")) {
            HostPort.parse(server.trim(), "bootstrapServers");
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        ConfigException.require(!properties.containsKey("bootstrap.servers"), "properties.bootstrap.servers",
                "set bootstrapServers on the cluster instead");
        String protocol = securityProtocol(properties);
        ConfigException.require(SUPPORTED_PROTOCOLS.contains(protocol), "properties.security.protocol",
                "must be one of " + SUPPORTED_PROTOCOLS + " (TLS and SASL towards upstream clusters are not supported yet), was " + protocol);
    }

    public String securityProtocol() {
        return securityProtocol(properties);
    }

    private static String securityProtocol(Map<String, String> properties) {
        return properties.getOrDefault("security.protocol", "PLAINTEXT").trim().toUpperCase(java.util.Locale.ROOT);
    }
}
