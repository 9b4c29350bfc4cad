package dev.switchboard.security;

import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.apache.kafka.common.security.authenticator.CredentialCache;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslServerProvider;
import org.apache.kafka.common.security.scram.internals.ScramServerCallbackHandler;
import org.apache.kafka.common.security.token.delegation.internals.DelegationTokenCache;

/**
 * The SCRAM users the gateway authenticates clients as, per mechanism. Only the salted credential is kept (salt,
 * stored key, server key, iterations), as a broker keeps it: a password cannot be read back, only checked.
 *
 * <p>The SASL servers it makes are Kafka's own ({@code ScramSaslServer}), reading this store, so what a client sees
 * of a SCRAM exchange, its errors included, is what a broker would show it.
 */
public final class ScramUsers {

    static {
        ScramSaslServerProvider.initialize();
    }

    private final Map<ScramMechanism, CredentialCache.Cache<ScramCredential>> byMechanism = new EnumMap<>(ScramMechanism.class);

    public ScramUsers() {
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            byMechanism.put(mechanism, new CredentialCache.Cache<>(ScramCredential.class));
        }
    }

    /**
     * Adds {@code user}, or replaces its credential, for {@code mechanismName} (SCRAM-SHA-256 or SCRAM-SHA-512).
     * Throws {@link IllegalArgumentException} naming what is wrong: an unknown mechanism, an empty user name or
     * password, or iterations outside what the mechanism allows.
     */
    public void put(String user, String mechanismName, String password, int iterations) {
        ScramMechanism mechanism = mechanism(mechanismName);
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("a SCRAM user needs a name");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("SCRAM user " + user + " needs a password");
        }
        if (iterations < mechanism.minIterations() || iterations > mechanism.maxIterations()) {
            throw new IllegalArgumentException("SCRAM user " + user + ": " + iterations + " iterations is outside "
                    + mechanism.mechanismName() + "'s " + mechanism.minIterations() + " to " + mechanism.maxIterations());
        }
        byMechanism.get(mechanism).put(user, formatter(mechanism).generateCredential(password, iterations));
    }

    /** Removes {@code user} for {@code mechanismName}; returns whether it was there. */
    public boolean remove(String user, String mechanismName) {
        return byMechanism.get(mechanism(mechanismName)).remove(user) != null;
    }

    /** The salted credential of {@code user}, if it has one for {@code mechanismName}. */
    public Optional<ScramCredential> credential(String user, String mechanismName) {
        return Optional.ofNullable(byMechanism.get(mechanism(mechanismName)).get(user));
    }

    /**
     * A SASL server for one client's SCRAM exchange with the gateway. Once it is complete, its authorization id is the
     * authenticated user; a wrong password ("Invalid client credentials") or an unknown user ("Invalid user
     * credentials") fails the exchange with a {@link SaslException}, as on a broker.
     */
    public SaslServer saslServer(String mechanismName, String serverName) throws SaslException {
        ScramMechanism mechanism = mechanism(mechanismName);
        ScramServerCallbackHandler handler = new ScramServerCallbackHandler(byMechanism.get(mechanism),
                new DelegationTokenCache(ScramMechanism.mechanismNames()));
        handler.configure(Map.of(), mechanism.mechanismName(), List.of());
        return Sasl.createSaslServer(mechanism.mechanismName(), "kafka", serverName, Map.of(), handler);
    }

    private static ScramMechanism mechanism(String name) {
        ScramMechanism mechanism = name == null ? null : ScramMechanism.forMechanismName(name);
        if (mechanism == null) {
            throw new IllegalArgumentException("unknown SCRAM mechanism " + name + "; one of " + ScramMechanism.mechanismNames());
        }
        return mechanism;
    }

    private static ScramFormatter formatter(ScramMechanism mechanism) {
        try {
            return new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks " + mechanism.hashAlgorithm() + " for " + mechanism.mechanismName(), e);
        }
    }
}
