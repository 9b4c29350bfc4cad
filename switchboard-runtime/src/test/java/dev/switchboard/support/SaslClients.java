package dev.switchboard.support;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/** Java client properties that authenticate to the gateway with SASL over plaintext. */
public final class SaslClients {

    private SaslClients() {
    }

    /** {@code base} with SASL_PLAINTEXT, {@code mechanism}, and the login module that takes a user name and password. */
    public static Map<String, Object> properties(Map<String, Object> base, String mechanism, String user, String password) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        props.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        return props;
    }
}
