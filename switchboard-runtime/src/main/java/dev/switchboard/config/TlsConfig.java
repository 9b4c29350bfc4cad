package dev.switchboard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards one upstream cluster, read from the standard Kafka client properties in the cluster's
 * {@code properties}. The stores are read when this is built, so an unreadable file or a wrong password is a
 * config error at start-up rather than a failed handshake later.
 *
 * @param trustManagers  whom the gateway trusts: the {@code ssl.truststore.*} store, or the JDK's default
 *                       trust when null
 * @param keyManagers    the gateway's own certificate for mutual TLS ({@code ssl.keystore.*}), null when none
 * @param verifyHostname whether the broker's certificate must name the host the gateway connects to:
 *                       {@code ssl.endpoint.identification.algorithm} {@code https} (Kafka's default) or empty
 */
public record TlsConfig(TrustManagerFactory trustManagers, KeyManagerFactory keyManagers, boolean verifyHostname) {

    static final List<String> STORE_TYPES = List.of("JKS", "PKCS12");

    /** Reads the {@code ssl.*} properties; errors name the property, e.g. {@code ssl.truststore.location}. */
    static TlsConfig from(Map<String, String> properties) {
        TrustManagerFactory trustManagers = null;
        if (properties.containsKey("ssl.truststore.location")) {
            KeyStore trustStore = load(properties, "ssl.truststore", properties.get("ssl.truststore.password"));
            ConfigException.require(size(trustStore) > 0, "ssl.truststore.location",
                    properties.get("ssl.truststore.location") + " holds no certificates");
            trustManagers = initTrust(trustStore);
        }
        KeyManagerFactory keyManagers = null;
        if (properties.containsKey("ssl.keystore.location")) {
            String storePassword = properties.get("ssl.keystore.password");
            ConfigException.require(storePassword != null, "ssl.keystore.password", "is required when ssl.keystore.location is set");
            KeyStore keyStore = load(properties, "ssl.keystore", storePassword);
            keyManagers = initKeys(keyStore, properties.getOrDefault("ssl.key.password", storePassword),
                    properties.get("ssl.keystore.location"));
        }
        String algorithm = properties.getOrDefault("ssl.endpoint.identification.algorithm", "https").trim();
        ConfigException.require(algorithm.isEmpty() || algorithm.equalsIgnoreCase("https"), "ssl.endpoint.identification.algorithm",
                "must be https (the broker's certificate must name its host, the default) or empty (it need not), was '"
                        + algorithm + "'");
        return new TlsConfig(trustManagers, keyManagers, !algorithm.isEmpty());
    }

    private static KeyStore load(Map<String, String> properties, String prefix, String password) {
        String location = properties.get(prefix + ".location");
        String type = properties.getOrDefault(prefix + ".type", "JKS").trim().toUpperCase(Locale.ROOT);
        ConfigException.require(STORE_TYPES.contains(type), prefix + ".type", "must be one of " + STORE_TYPES + ", was " + type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new ConfigException(prefix + ".password", "does not open " + location + ": " + e.getMessage());
            }
            throw new ConfigException(prefix + ".location", "cannot read " + location + ": " + describe(e));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(prefix + ".location", "cannot read " + location + ": " + describe(e));
        }
    }

    private static int size(KeyStore store) {
        try {
            return store.size();
        } catch (GeneralSecurityException e) {
            return 0;
        }
    }

    private static TrustManagerFactory initTrust(KeyStore trustStore) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("ssl.truststore.location", "cannot be used as a trust store: " + describe(e));
        }
    }

    private static KeyManagerFactory initKeys(KeyStore keyStore, String keyPassword, String location) {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore, keyPassword.toCharArray());
            return factory;
        } catch (UnrecoverableKeyException e) {
            throw new ConfigException("ssl.key.password", "does not unlock the key in " + location + ": " + describe(e));
        } catch (GeneralSecurityException e) {
            throw new ConfigException("ssl.keystore.location", "cannot be used as a key store: " + describe(e));
        }
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
