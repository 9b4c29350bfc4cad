package dev.switchboard.config;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * SASL towards one upstream cluster: the mechanism and the credentials the gateway authenticates each of its
 * connections with, read from {@code sasl.mechanism} and {@code sasl.jaas.config}.
 *
 * @param mechanism one of {@link #MECHANISMS}
 */
public record SaslConfig(String mechanism, String username, String password) {

    /** The mechanisms whose client needs nothing but a user name and a password. */
    public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    /** Reads the {@code sasl.*} properties; errors name the property, e.g. {@code sasl.mechanism}. */
    static SaslConfig from(Map<String, String> properties) {
        // Kafka's own default, so a client.properties that leaves it out means the same here.
        String mechanism = properties.getOrDefault(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM).trim();
        ConfigException.require(MECHANISMS.contains(mechanism), SaslConfigs.SASL_MECHANISM, "must be one of " + MECHANISMS
                + " (the gateway cannot authenticate its connections with GSSAPI or OAUTHBEARER), was " + mechanism
                + (properties.containsKey(SaslConfigs.SASL_MECHANISM) ? "" : ", Kafka's default"));
        String jaasConfig = properties.get(SaslConfigs.SASL_JAAS_CONFIG);
        ConfigException.require(jaasConfig != null && !jaasConfig.isBlank(), SaslConfigs.SASL_JAAS_CONFIG,
                "is required for SASL, e.g. org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"...\" password=\"...\";");
        Map<String, ?> options;
        try {
            options = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaasConfig)))
                    .configurationEntries().get(0).getOptions();
        } catch (IllegalArgumentException | KafkaException e) {
            throw new ConfigException(SaslConfigs.SASL_JAAS_CONFIG, "cannot be parsed: " + e.getMessage());
        }
        return new SaslConfig(mechanism, option(options, "username"), option(options, "password"));
    }

    private static String option(Map<String, ?> options, String name) {
        Object value = options.get(name);
        ConfigException.require(value instanceof String text && !text.isEmpty(), SaslConfigs.SASL_JAAS_CONFIG,
                "has no " + name + "=\"...\" option");
        return (String) value;
    }

    @Override
    public String toString() {
        return "SaslConfig[mechanism=" + mechanism + ", username=" + username + ", password=(hidden)]";
    }
}
