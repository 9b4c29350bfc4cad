package dev.switchboard.security;

import java.util.List;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.datapath.ClientSasl;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/**
 * The listener's SASL over the gateway's users: SCRAM-SHA-256 and SCRAM-SHA-512 ({@link ScramExchange}), and PLAIN
 * with Kafka's own SASL server; and OAUTHBEARER over the identity provider's keys ({@link OAuthBearerTokens}). A client is told only that its credentials were refused, as a broker tells it; which of the user name or
 * the password was wrong is for the gateway's log and metrics.
 */
public final class GatewaySasl implements ClientSasl {

    /** The server name some mechanisms bind into the exchange; SCRAM and PLAIN do not check it. */
    private static final String SERVER_NAME = "switchboard";

    private final ClientSaslConfig config;
    private final ScramUsers users;
    /** Null unless OAUTHBEARER is offered. */
    private final OAuthBearerTokens tokens;

    public GatewaySasl(ClientSaslConfig config, ScramUsers users) {
        this.config = config;
        this.users = users;
        this.tokens = config.mechanisms().contains("OAUTHBEARER") ? new OAuthBearerTokens(config.oauthbearer()) : null;
    }

    @Override
    public List<String> mechanisms() {
        return config.mechanisms();
    }

    @Override
    public long maxSessionMillis() {
        return config.maxSessionMs();
    }

    @Override
    public boolean servesAnonymous() {
        return config.anonymous();
    }

    @Override
    public Exchange begin(String mechanism, String clientHost) {
        return switch (mechanism) {
            case "PLAIN" -> new PlainExchange();
            case "OAUTHBEARER" -> tokens.begin();
            default -> new ScramExchange(mechanism, users);
        };
    }

    /** PLAIN through Kafka's own server, its password checked against the user's salted SCRAM credentials. */
    private final class PlainExchange implements Exchange {

        private String user;
        private SaslServer server;

        @Override
        public byte[] evaluate(byte[] fromClient) throws Refused {
            try {
                if (server == null) {
                    server = users.plainSaslServer(SERVER_NAME, name -> user = name);
                }
                return server.evaluateResponse(fromClient);
            } catch (SaslAuthenticationException | SaslException e) {
                dispose();
                if (user == null) {
                    throw new Refused("malformed", "Authentication failed: the PLAIN exchange could not be read: " + e.getMessage(),
                            e.getMessage());
                }
                throw new Refused(users.exists(user) ? "wrong_password" : "unknown_user",
                        "Authentication failed: invalid credentials with SASL mechanism PLAIN", "user " + user + ": " + e.getMessage());
            }
        }

        @Override
        public boolean complete() {
            return server != null && server.isComplete();
        }

        @Override
        public String principal() {
            String id = server.getAuthorizationID();
            dispose();
            return "User:" + id;
        }

        private void dispose() {
            if (server != null) {
                try {
                    server.dispose();
                } catch (SaslException ignored) {
                    // holds nothing worth a failure
                }
            }
        }
    }
}
