package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.switchboard.datapath.ClientSasl;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;
import org.junit.jupiter.api.Test;

/**
 * The gateway's SCRAM server, driven by a client made of Kafka's own messages and formatter: the RFC's nonce, and
 * librdkafka's doubled one before 2.6.1, authenticate; any other nonce, or a wrong password, does not.
 */
class ScramExchangeTest {

    private static final String MECHANISM = "SCRAM-SHA-512";
    private final ScramUsers users = new ScramUsers();

    ScramExchangeTest() {
        users.put("carol", MECHANISM, "carol-secret", 4096);
    }

    @Test
    void theRfcNonceAuthenticatesAndTheServerProvesItKnowsTheCredential() throws Exception {
        ScramExchange exchange = new ScramExchange(MECHANISM, users);
        byte[] serverFinal = finish(exchange, "carol-secret", Nonce.RFC);
        assertThat(exchange.complete()).isTrue();
        assertThat(exchange.principal()).isEqualTo("User:carol");
        assertThat(exchange.legacyNonce()).isFalse();
        assertThat(new ServerFinalMessage(serverFinal).error()).isNull();
    }

    @Test
    void librdkafkasDoubledNonceAuthenticatesToo() throws Exception {
        ScramExchange exchange = new ScramExchange(MECHANISM, users);
        finish(exchange, "carol-secret", Nonce.LIBRDKAFKA_BEFORE_2_6_1);
        assertThat(exchange.complete()).isTrue();
        assertThat(exchange.legacyNonce()).isTrue();
    }

    @Test
    void anyOtherNonceIsRefusedEvenWithTheRightProof() {
        ScramExchange exchange = new ScramExchange(MECHANISM, users);
        assertThatThrownBy(() -> finish(exchange, "carol-secret", Nonce.CLIENT_ONLY))
                .isInstanceOfSatisfying(ClientSasl.Refused.class, refused -> assertThat(refused.cause()).isEqualTo("wrong_nonce"));
        assertThat(exchange.complete()).isFalse();
    }

    @Test
    void aWrongPasswordIsRefusedAndTheClientIsNotToldWhy() {
        ScramExchange exchange = new ScramExchange(MECHANISM, users);
        assertThatThrownBy(() -> finish(exchange, "not-carols", Nonce.RFC))
                .isInstanceOfSatisfying(ClientSasl.Refused.class, refused -> {
                    assertThat(refused.cause()).isEqualTo("wrong_password");
                    assertThat(refused.getMessage()).isEqualTo("Authentication failed: invalid credentials with SASL mechanism " + MECHANISM);
                });
    }

    @Test
    void anUnknownUserIsRefusedAtTheFirstMessage() {
        ScramExchange exchange = new ScramExchange(MECHANISM, users);
        assertThatThrownBy(() -> exchange.evaluate(new ClientFirstMessage("dave", "abc", Map.of()).toBytes()))
                .isInstanceOfSatisfying(ClientSasl.Refused.class, refused -> assertThat(refused.cause()).isEqualTo("unknown_user"));
    }

    private enum Nonce { RFC, LIBRDKAFKA_BEFORE_2_6_1, CLIENT_ONLY }

    /** A client's side of the exchange; returns the server-final message. */
    private static byte[] finish(ScramExchange exchange, String password, Nonce nonce) throws Exception {
        ScramFormatter formatter = new ScramFormatter(ScramMechanism.forMechanismName(MECHANISM));
        String clientNonce = formatter.secureRandomString();
        ClientFirstMessage clientFirst = new ClientFirstMessage(ScramFormatter.saslName("carol"), clientNonce, Map.of());
        ServerFirstMessage serverFirst = new ServerFirstMessage(exchange.evaluate(clientFirst.toBytes()));
        assertThat(serverFirst.nonce()).startsWith(clientNonce).isNotEqualTo(clientNonce);
        String finalNonce = switch (nonce) {
            case RFC -> serverFirst.nonce();
            case LIBRDKAFKA_BEFORE_2_6_1 -> clientNonce + serverFirst.nonce();
            case CLIENT_ONLY -> clientNonce;
        };
        ClientFinalMessage clientFinal = new ClientFinalMessage("n,,".getBytes(), finalNonce);
        byte[] salted = formatter.saltedPassword(password, serverFirst.salt(), serverFirst.iterations());
        clientFinal.proof(formatter.clientProof(salted, clientFirst, serverFirst, clientFinal));
        return exchange.evaluate(clientFinal.toBytes());
    }
}
