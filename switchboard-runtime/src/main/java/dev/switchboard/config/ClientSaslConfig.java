package dev.switchboard.config;

import java.util.List;

/**
 * SASL that the gateway's listener terminates: clients authenticate to the gateway, never to a broker.
 *
 * @param mechanisms   offered to clients, in order of preference; from {@link #MECHANISMS}
 * @param maxSessionMs KIP-368's {@code connections.max.reauth.ms}: a client must authenticate again on its connection
 *                     within this, or the connection closes at its next request; 0 (the default) for never
 * @param anonymous    whether a client that does not authenticate is served as {@code User:ANONYMOUS}, as on a
 *                     broker's PLAINTEXT listener, instead of closed (the default): for moving an estate to SASL one
 *                     application at a time, with gateway ACLs deciding what the anonymous may do
 * @param oauthbearer  how OAUTHBEARER tokens are checked; required when {@code mechanisms} has OAUTHBEARER
 */
public record ClientSaslConfig(List<String> mechanisms, Long maxSessionMs, Boolean anonymous, OAuthBearerConfig oauthbearer) {

    public ClientSaslConfig(List<String> mechanisms, Long maxSessionMs) {
        this(mechanisms, maxSessionMs, null, null);
    }

    public ClientSaslConfig(List<String> mechanisms, Long maxSessionMs, Boolean anonymous) {
        this(mechanisms, maxSessionMs, anonymous, null);
    }

    public static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER");

    public ClientSaslConfig {
        ConfigException.require(mechanisms != null && !mechanisms.isEmpty(), "mechanisms",
                "must list at least one of " + MECHANISMS);
        mechanisms = List.copyOf(mechanisms);
        for (int i = 0; i < mechanisms.size(); i++) {
            ConfigException.require(MECHANISMS.contains(mechanisms.get(i)), "mechanisms[" + i + "]",
                    "must be one of " + MECHANISMS + ", was " + mechanisms.get(i));
            ConfigException.require(mechanisms.indexOf(mechanisms.get(i)) == i, "mechanisms[" + i + "]",
                    mechanisms.get(i) + " is listed twice");
        }
        maxSessionMs = maxSessionMs == null ? Long.valueOf(0) : maxSessionMs;
        anonymous = anonymous != null && anonymous;
        ConfigException.require(!mechanisms.contains("OAUTHBEARER") || oauthbearer != null, "oauthbearer",
                "is required with OAUTHBEARER: {jwksUrl: ..., issuer: ..., audience: [...]}");
        ConfigException.require(maxSessionMs >= 0, "maxSessionMs", "must be 0 (sessions last as long as the connection) or more, was "
                + maxSessionMs);
    }
}
