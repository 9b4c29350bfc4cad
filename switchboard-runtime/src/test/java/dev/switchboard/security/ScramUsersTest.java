package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramSaslClientProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kafka's own SCRAM client against the gateway's SCRAM users, in memory: the exchange a client has on the wire. */
class ScramUsersTest {

    static {
        ScramSaslClientProvider.initialize();
    }

    private final ScramUsers users = new ScramUsers();

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-256", "SCRAM-SHA-512"})
    void theRightPasswordAuthenticatesAsTheUser(String mechanism) throws SaslException {
        users.put("orders-service", mechanism, "s3cret", 4096);

        SaslServer server = exchange(mechanism, "orders-service", "s3cret");

        assertThat(server.isComplete()).isTrue();
        assertThat(server.getAuthorizationID()).isEqualTo("orders-service");
    }

    @Test
    void aWrongPasswordAnUnknownUserAndAnotherMechanismFail() {
        users.put("orders-service", "SCRAM-SHA-512", "s3cret", 4096);

        assertThatThrownBy(() -> exchange("SCRAM-SHA-512", "orders-service", "guess"))
                .isInstanceOf(SaslException.class).hasMessage("Invalid client credentials");
        assertThatThrownBy(() -> exchange("SCRAM-SHA-512", "nobody", "s3cret"))
                .isInstanceOf(SaslException.class).hasMessageContaining("Invalid user credentials");
        assertThatThrownBy(() -> exchange("SCRAM-SHA-256", "orders-service", "s3cret"))
                .as("a credential is per mechanism").isInstanceOf(SaslException.class);
    }

    @Test
    void onlyASaltedCredentialIsKeptAndARemovedUserNoLongerAuthenticates() {
        users.put("a", "SCRAM-SHA-256", "same-password", 4096);
        users.put("b", "SCRAM-SHA-256", "same-password", 4096);
        ScramCredential a = users.credential("a", "SCRAM-SHA-256").orElseThrow();
        ScramCredential b = users.credential("b", "SCRAM-SHA-256").orElseThrow();

        assertThat(a.iterations()).isEqualTo(4096);
        assertThat(a.salt()).as("each credential has its own salt").isNotEqualTo(b.salt());
        assertThat(a.storedKey()).isNotEqualTo(b.storedKey());
        byte[] password = "same-password".getBytes(StandardCharsets.UTF_8);
        for (byte[] kept : new byte[][] {a.salt(), a.storedKey(), a.serverKey()}) {
            assertThat(Arrays.equals(kept, password)).isFalse();
        }

        assertThat(users.remove("a", "SCRAM-SHA-256")).isTrue();
        assertThat(users.remove("a", "SCRAM-SHA-256")).isFalse();
        assertThatThrownBy(() -> exchange("SCRAM-SHA-256", "a", "same-password")).isInstanceOf(SaslException.class);
        assertThat(users.credential("a", "SCRAM-SHA-256")).isEmpty();
    }

    @Test
    void badInputIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> users.put("u", "SCRAM-SHA-1", "p", 4096)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown SCRAM mechanism SCRAM-SHA-1");
        assertThatThrownBy(() -> users.put("", "SCRAM-SHA-256", "p", 4096)).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> users.put("u", "SCRAM-SHA-256", "", 4096)).hasMessageContaining("u needs a password");
        assertThatThrownBy(() -> users.put("u", "SCRAM-SHA-256", "p", 100)).hasMessageContaining("100 iterations is outside");
        assertThat(users.credential("u", "SCRAM-SHA-256")).isEmpty();
    }

    @Test
    void aPlainPasswordIsCheckedAgainstTheSameSaltedCredential() throws SaslException {
        users.put("orders-service", "SCRAM-SHA-512", "s3cret", 4096);

        SaslServer server = users.plainSaslServer("gateway");
        server.evaluateResponse(plain("orders-service", "s3cret"));
        assertThat(server.isComplete()).isTrue();
        assertThat(server.getAuthorizationID()).isEqualTo("orders-service");

        assertThatThrownBy(() -> users.plainSaslServer("gateway").evaluateResponse(plain("orders-service", "guess")))
                .hasMessageContaining("Authentication failed: Invalid username or password");
        assertThatThrownBy(() -> users.plainSaslServer("gateway").evaluateResponse(plain("nobody", "s3cret")))
                .hasMessageContaining("Authentication failed: Invalid username or password");
    }

    /** PLAIN's one message (RFC 4616): no authorization id, the user, the password. */
    private static byte[] plain(String user, String password) {
        return ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the exchange to its end; throws what the server throws. */
    private SaslServer exchange(String mechanism, String user, String password) throws SaslException {
        SaslClient client = Sasl.createSaslClient(new String[] {mechanism}, null, "kafka", "gateway", Map.of(),
                callbacks -> {
                    for (Callback callback : callbacks) {
                        if (callback instanceof NameCallback name) {
                            name.setName(user);
                        } else if (callback instanceof PasswordCallback secret) {
                            secret.setPassword(password.toCharArray());
                        } else if (!(callback instanceof ScramExtensionsCallback)) {
                            throw new IllegalStateException("unexpected callback " + callback);
                        }
                    }
                });
        SaslServer server = users.saslServer(mechanism, "gateway");
        byte[] toServer = client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0];
        while (!server.isComplete()) {
            byte[] toClient = server.evaluateResponse(toServer);
            if (server.isComplete()) {
                client.evaluateChallenge(toClient);
                break;
            }
            toServer = client.evaluateChallenge(toClient);
        }
        assertThat(client.isComplete()).as("the client checked the server's signature").isTrue();
        return server;
    }
}
