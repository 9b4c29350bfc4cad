package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * TLS on the client listener: the gateway's certificate, and whether clients must show one.
 *
 * @param keyStore              the gateway's certificate and key (PKCS12 or JKS); or else {@code certificateChain} and
 *                              {@code privateKey}
 * @param certificateChain      a PEM file with the gateway's certificate first, then its chain
 * @param privateKey            a PEM file with its PKCS#8 key
 * @param privateKeyPassword    the key's password, when it is encrypted
 * @param trustStore            whom client certificates must chain to (PKCS12 or JKS); or else {@code trustCertificates}
 * @param trustCertificates     a PEM file of CA certificates client certificates must chain to
 * @param clientAuth            {@code none} (the default), {@code requested} or {@code required}
 * @param principalMappingRules how a client certificate's subject becomes a principal, in the syntax of Kafka's
 *                              {@code ssl.principal.mapping.rules} (default {@code DEFAULT}: the whole subject)
 * @param reloadCheckInterval   how often the files are checked for change; a change is loaded without a restart, and
 *                              new connections use it (default 30s)
 */
public record ListenerTlsConfig(StoreConfig keyStore, String certificateChain, String privateKey, String privateKeyPassword,
                                StoreConfig trustStore, String trustCertificates, String clientAuth,
                                String principalMappingRules, String reloadCheckInterval) {

    public static final List<String> CLIENT_AUTH = List.of("none", "requested", "required");

    public ListenerTlsConfig {
        ConfigException.require((keyStore != null) != (certificateChain != null), "keyStore",
                "give either keyStore or certificateChain and privateKey, the gateway's certificate");
        ConfigException.require(certificateChain == null || privateKey != null, "privateKey", "is required with certificateChain");
        ConfigException.require(trustStore == null || trustCertificates == null, "trustStore", "give trustStore or trustCertificates, not both");
        clientAuth = clientAuth == null ? "none" : clientAuth.trim().toLowerCase(Locale.ROOT);
        ConfigException.require(CLIENT_AUTH.contains(clientAuth), "clientAuth", "must be one of " + CLIENT_AUTH + ", was " + clientAuth);
        ConfigException.require(clientAuth.equals("none") || trustStore != null || trustCertificates != null, "clientAuth",
                "'" + clientAuth + "' needs trustStore or trustCertificates: whom client certificates must chain to");
        principalMappingRules = principalMappingRules == null ? "DEFAULT" : principalMappingRules;
        reloadCheckInterval = reloadCheckInterval == null ? "30s" : reloadCheckInterval;
        try {
            ConfigException.require(!Durations.parse(reloadCheckInterval).isZero(), "reloadCheckInterval", "must be longer than zero");
        } catch (IllegalArgumentException e) {
            throw new ConfigException("reloadCheckInterval", e.getMessage());
        }
    }

    public Duration reloadCheck() {
        return Durations.parse(reloadCheckInterval);
    }

    @Override
    public String toString() {
        return "ListenerTlsConfig[keyStore=" + keyStore + ", certificateChain=" + certificateChain + ", trustStore=" + trustStore
                + ", trustCertificates=" + trustCertificates + ", clientAuth=" + clientAuth + "]";
    }
}
