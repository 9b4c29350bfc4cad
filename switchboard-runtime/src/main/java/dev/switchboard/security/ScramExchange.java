package dev.switchboard.security;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import javax.security.sasl.SaslException;

import dev.switchboard.datapath.ClientSasl;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

/**
 * The server side of one SCRAM exchange (RFC 5802), over Kafka's own messages and formatter: client-first, server-first,
 * client-final, server-final.
 *
 * <p>Why not Kafka's {@code ScramSaslServer}: librdkafka before 2.6.1 (every Debian and Ubuntu package in use, and the
 * Python, Go and .NET clients built on it) sends its own nonce twice in the client-final message, client nonce then the
 * whole server nonce. Kafka 3.8.1 accepted that; Kafka 4 compares strictly and refuses those clients with "invalid
 * credentials". Here the client-final nonce must be the server nonce, or exactly the client nonce followed by it. Both
 * carry the fresh server nonce, so a replayed final message is refused either way (what CVE-2024-56128 is about);
 * the proof is checked over the message as the client sent it, as the client computed it.
 */
final class ScramExchange implements ClientSasl.Exchange {

    private final ScramMechanism mechanism;
    private final ScramFormatter formatter;
    private final ScramUsers users;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;
    private String user;
    private boolean complete;
    private boolean legacyNonce;

    ScramExchange(String mechanismName, ScramUsers users) {
        this.mechanism = ScramMechanism.forMechanismName(mechanismName);
        if (mechanism == null) {
            throw new IllegalArgumentException("not a SCRAM mechanism: " + mechanismName);
        }
        try {
            this.formatter = new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks " + mechanism.hashAlgorithm(), e);
        }
        this.users = users;
    }

    @Override
    public byte[] evaluate(byte[] fromClient) throws ClientSasl.Refused {
        if (complete) {
            throw refused("malformed", "the exchange is complete already");
        }
        try {
            return clientFirst == null ? first(fromClient) : last(fromClient);
        } catch (SaslException e) {
            throw new ClientSasl.Refused("malformed", "Authentication failed: the " + mechanism.mechanismName()
                    + " exchange could not be read: " + e.getMessage(), e.getMessage());
        }
    }

    private byte[] first(byte[] fromClient) throws SaslException, ClientSasl.Refused {
        clientFirst = new ClientFirstMessage(fromClient);
        user = ScramFormatter.username(clientFirst.saslName());
        if (!clientFirst.authorizationId().isEmpty() && !clientFirst.authorizationId().equals(user)) {
            throw refused("authorization_id", "user " + user + " asked to act as " + clientFirst.authorizationId());
        }
        if (!clientFirst.extensions().map().isEmpty()) {
            // tokenauth asks for a delegation token, which the gateway does not issue.
            throw refused("unsupported_extension", "user " + user + " sent SCRAM extensions " + clientFirst.extensions().map().keySet());
        }
        Optional<ScramCredential> known = users.credential(user, mechanism.mechanismName());
        if (known.isEmpty()) {
            throw refused(users.exists(user) ? "no_credential_for_mechanism" : "unknown_user", "user " + user);
        }
        credential = known.get();
        serverFirst = new ServerFirstMessage(clientFirst.nonce(), formatter.secureRandomString(), credential.salt(),
                credential.iterations());
        return serverFirst.toBytes();
    }

    private byte[] last(byte[] fromClient) throws SaslException, ClientSasl.Refused {
        ClientFinalMessage clientFinal = new ClientFinalMessage(fromClient);
        legacyNonce = clientFinal.nonce().equals(clientFirst.nonce() + serverFirst.nonce());
        if (!clientFinal.nonce().equals(serverFirst.nonce()) && !legacyNonce) {
            throw refused("wrong_nonce", "user " + user + ": the final message's nonce is not the one the gateway sent");
        }
        try {
            byte[] signature = formatter.clientSignature(credential.storedKey(), clientFirst, serverFirst, clientFinal);
            byte[] storedKey = formatter.storedKey(signature, clientFinal.proof());
            if (!MessageDigest.isEqual(storedKey, credential.storedKey())) {
                throw refused("wrong_password", "user " + user + ": the client's proof does not match");
            }
            complete = true;
            byte[] serverSignature = formatter.serverSignature(credential.serverKey(), clientFirst, serverFirst, clientFinal);
            return new ServerFinalMessage(null, serverSignature).toBytes();
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("cannot key " + mechanism.macAlgorithm(), e);
        }
    }

    @Override
    public boolean complete() {
        return complete;
    }

    @Override
    public String principal() {
        return "User:" + user;
    }

    /** Whether the client sent librdkafka's doubled nonce (before 2.6.1). */
    boolean legacyNonce() {
        return legacyNonce;
    }

    private ClientSasl.Refused refused(String cause, String detail) {
        return new ClientSasl.Refused(cause, "Authentication failed: invalid credentials with SASL mechanism "
                + mechanism.mechanismName(), detail);
    }
}
