package dev.switchboard.security;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.apache.kafka.common.security.authenticator.CredentialCache;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServerProvider;
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
 * <p>The SASL servers it makes are Kafka's own ({@code ScramSaslServer}, {@code PlainSaslServer}), reading this
 * store, so what a client sees of an exchange, its errors included, is what a broker would show it. A PLAIN password
 * is checked against the same salted credentials: salted and hashed as SCRAM does, it must give the stored key.
 */
public final class ScramUsers {

    static {
        ScramSaslServerProvider.initialize();
        PlainSaslServerProvider.initialize();
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

    /** Adds {@code user}'s salted credential as another instance made it, or replaces it. */
    public void putCredential(String user, String mechanismName, ScramCredential credential) {
        byMechanism.get(mechanism(mechanismName)).put(user, credential);
    }

    /** Removes {@code user} for every mechanism; returns whether it had any credential. */
    public boolean removeAll(String user) {
        boolean had = false;
        for (CredentialCache.Cache<ScramCredential> cache : byMechanism.values()) {
            had |= cache.remove(user) != null;
        }
        return had;
    }

    /** Whether {@code user} has a credential for any mechanism. */
    public boolean exists(String user) {
        return byMechanism.values().stream().anyMatch(cache -> cache.get(user) != null);
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

    /** A SASL server for one client's PLAIN exchange, its password checked against the user's SCRAM credentials. */
    public SaslServer plainSaslServer(String serverName) throws SaslException {
        return plainSaslServer(serverName, name -> { });
    }

    SaslServer plainSaslServer(String serverName, Consumer<String> nameSeen) throws SaslException {
        return Sasl.createSaslServer("PLAIN", "kafka", serverName, Map.of(), callbacks -> {
            String user = null;
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    user = name.getDefaultName();
                    nameSeen.accept(user);
                } else if (callback instanceof PlainAuthenticateCallback plain) {
                    plain.authenticated(user != null && passwordMatches(user, new String(plain.password())));
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        });
    }

    /** Whether {@code password} is {@code user}'s, by any of its SCRAM credentials. */
    boolean passwordMatches(String user, String password) {
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            ScramCredential credential = byMechanism.get(mechanism).get(user);
            if (credential != null) {
                ScramFormatter formatter = formatter(mechanism);
                try {
                    byte[] salted = formatter.saltedPassword(password, credential.salt(), credential.iterations());
                    // Constant time, so the time taken tells nothing of how much matched.
                    return MessageDigest.isEqual(formatter.storedKey(formatter.clientKey(salted)), credential.storedKey());
                } catch (InvalidKeyException e) {
                    throw new IllegalStateException("cannot key " + mechanism.macAlgorithm(), e);
                }
            }
        }
        return false;
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
