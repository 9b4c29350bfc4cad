package dev.switchboard.security;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.sasl.SaslException;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.OAuthBearerConfig;
import dev.switchboard.datapath.ClientSasl;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;

/**
 * OAUTHBEARER at the listener: Kafka's own SASL server and token validator, over the JWKS, issuer and audience
 * configured, so a token is checked as a broker checks it (signature, {@code exp}, {@code iss}, {@code aud}). The
 * session lasts no longer than the token.
 */
final class OAuthBearerTokens {

    /** Kafka refuses JWKS and token URLs not listed here, process-wide (CVE-2025-27817). */
    static final String ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";
    private static final String LIFETIME = "CREDENTIAL.LIFETIME.MS";

    private final OAuthBearerValidatorCallbackHandler validator = new OAuthBearerValidatorCallbackHandler();
    private final String issuer;
    private final List<String> audience;

    OAuthBearerTokens(OAuthBearerConfig config) {
        this.issuer = config.issuer();
        this.audience = config.audience();
        allow(config.jwksUrl());
        Map<String, Object> settings = new HashMap<>();
        settings.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_URL, config.jwksUrl());
        settings.put(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_ISSUER, config.issuer());
        settings.put(SaslConfigs.SASL_OAUTHBEARER_EXPECTED_AUDIENCE, config.audience());
        settings.put(SaslConfigs.SASL_OAUTHBEARER_SUB_CLAIM_NAME, config.principalClaim());
        settings.put(SaslConfigs.SASL_OAUTHBEARER_SCOPE_CLAIM_NAME, SaslConfigs.DEFAULT_SASL_OAUTHBEARER_SCOPE_CLAIM_NAME);
        settings.put(SaslConfigs.SASL_OAUTHBEARER_CLOCK_SKEW_SECONDS, config.clockSkewSeconds());
        settings.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS, SaslConfigs.DEFAULT_SASL_OAUTHBEARER_JWKS_ENDPOINT_REFRESH_MS);
        settings.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS,
                SaslConfigs.DEFAULT_SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MS);
        settings.put(SaslConfigs.SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS,
                SaslConfigs.DEFAULT_SASL_OAUTHBEARER_JWKS_ENDPOINT_RETRY_BACKOFF_MAX_MS);
        settings.put(SaslConfigs.SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS, SaslConfigs.DEFAULT_SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS);
        List<AppConfigurationEntry> jaas = List.of(new AppConfigurationEntry(OAuthBearerLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of()));
        try {
            validator.configure(settings, OAuthBearerLoginModule.OAUTHBEARER_MECHANISM, jaas);
        } catch (RuntimeException e) {
            throw new ConfigException("security.sasl.oauthbearer", "cannot check tokens: " + e.getMessage());
        }
    }

    private static synchronized void allow(String url) {
        Set<String> allowed = new LinkedHashSet<>();
        String known = System.getProperty(ALLOWED_URLS);
        if (known != null && !known.isBlank()) {
            allowed.addAll(Arrays.asList(known.split(",")));
        }
        allowed.add(url);
        System.setProperty(ALLOWED_URLS, String.join(",", allowed));
    }

    ClientSasl.Exchange begin() {
        return new ClientSasl.Exchange() {
            private final OAuthBearerSaslServer server = new OAuthBearerSaslServer(validator);
            private String refusal;

            @Override
            public byte[] evaluate(byte[] fromClient) throws ClientSasl.Refused {
                try {
                    byte[] out = server.evaluateResponse(fromClient);
                    if (!server.isComplete() && refusal == null) {
                        // RFC 7628: an error comes back as a JSON challenge, then the client's %x01 ends the exchange.
                        refusal = new String(out, StandardCharsets.UTF_8);
                    }
                    return out;
                } catch (SaslAuthenticationException | SaslException e) {
                    // Kafka's validator says only invalid_token; the reason is in its own debug log.
                    throw new ClientSasl.Refused("bad_token", "Authentication failed: the OAUTHBEARER token was refused ("
                            + e.getMessage() + "): its signature, issuer (" + issuer + "), audience (" + audience
                            + ") or expiry does not check out", refusal == null ? e.getMessage() : refusal);
                }
            }

            @Override
            public boolean complete() {
                return server.isComplete();
            }

            @Override
            public String principal() {
                return "User:" + server.getAuthorizationID();
            }

            @Override
            public long credentialLifetimeMillis() {
                Object expiresAt = server.getNegotiatedProperty(LIFETIME);
                return expiresAt instanceof Long at ? Math.max(0, at - System.currentTimeMillis()) : Long.MAX_VALUE;
            }
        };
    }
}
