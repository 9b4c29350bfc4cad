package dev.switchboard.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * A listener for clients beside the brokers' own PLAINTEXT one, with TLS, SASL or both: what the brokers need
 * to serve it, and what a client needs to use it.
 *
 * @param users         SASL user name to password, the first being the one clients use by default
 * @param brokerStores  the brokers' certificate, null without TLS
 * @param clientStores  the clients' certificate when the brokers require one (mutual TLS), else null
 */
record ClientListener(SecurityProtocol protocol, String saslMechanism, Map<String, String> users,
                      SelfSignedKeyStores brokerStores, SelfSignedKeyStores clientStores) {

    static final String NAME = "CLIENT";
    private static final String PREFIX = "listener.name." + NAME.toLowerCase(Locale.ROOT) + ".";

    ClientListener {
        users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
    }

    boolean usesTls() {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }

    boolean usesSasl() {
        return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    }

    /** Adds the listener on {@code port} to one node's settings. */
    void configure(Properties broker, int port) {
        BrokerProperties.addListener(broker, NAME, protocol.name, "localhost:" + port, "localhost:" + port);
        if (usesTls()) {
            broker.put(PREFIX + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, brokerStores.keyStore().toString());
            broker.put(PREFIX + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, brokerStores.password());
            broker.put(PREFIX + SslConfigs.SSL_KEY_PASSWORD_CONFIG, brokerStores.password());
            broker.put(PREFIX + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            if (clientStores != null) {
                broker.put(PREFIX + "ssl.client.auth", "required");
                broker.put(PREFIX + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, clientStores.trustStore().toString());
                broker.put(PREFIX + SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, clientStores.password());
                broker.put(PREFIX + SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            }
        }
        if (usesSasl()) {
            broker.put(PREFIX + "sasl.enabled.mechanisms", saslMechanism);
            String mechanismPrefix = PREFIX + saslMechanism.toLowerCase(Locale.ROOT) + ".";
            if (saslMechanism.equals("PLAIN")) {
                StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
                users.forEach((name, password) -> jaas.append(" user_").append(name).append("=\"").append(password).append('"'));
                broker.put(mechanismPrefix + SaslConfigs.SASL_JAAS_CONFIG, jaas.append(';').toString());
            } else {
                broker.put(mechanismPrefix + SaslConfigs.SASL_JAAS_CONFIG,
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
        }
    }

    /** StorageTool arguments that create the SCRAM users with the cluster's metadata. */
    List<String> formatArguments() {
        List<String> arguments = new ArrayList<>();
        if (usesSasl() && saslMechanism.startsWith("SCRAM-")) {
            users.forEach((name, password) -> {
                arguments.add("--add-scram");
                arguments.add(saslMechanism + "=[name=" + name + ",password=" + password + "]");
            });
        }
        return arguments;
    }

    /** What a client needs to connect as {@code user}; a wrong password is allowed, for tests of failure. */
    Map<String, String> clientProperties(String user, String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
        if (usesTls()) {
            props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, brokerStores.trustStore().toString());
            props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, brokerStores.password());
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
            if (clientStores != null) {
                props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, clientStores.keyStore().toString());
                props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, clientStores.password());
                props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            }
        }
        if (usesSasl()) {
            String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            props.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
            props.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        }
        return props;
    }
}
