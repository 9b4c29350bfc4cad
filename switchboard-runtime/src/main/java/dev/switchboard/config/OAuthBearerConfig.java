package dev.switchboard.config;

import java.util.List;

/**
 * How the gateway checks OAUTHBEARER tokens: JWTs signed by a key in a JWKS, with their issuer, audience and expiry.
 *
 * @param jwksUrl          the JWKS: an {@code https://} endpoint of the identity provider, or a {@code file:} URL
 * @param issuer           the {@code iss} a token must carry
 * @param audience         the {@code aud} values of which a token must carry one
 * @param principalClaim   the claim that names the principal (default {@code sub}); the principal is {@code User:<it>}
 * @param clockSkewSeconds how far clocks may disagree on {@code exp}, {@code nbf} and {@code iat} (default 30)
 */
public record OAuthBearerConfig(String jwksUrl, String issuer, List<String> audience, String principalClaim,
                                Integer clockSkewSeconds) {

    public OAuthBearerConfig {
        ConfigException.requireText(jwksUrl, "jwksUrl");
        ConfigException.require(jwksUrl.startsWith("https://") || jwksUrl.startsWith("http://") || jwksUrl.startsWith("file:"),
                "jwksUrl", "must be an https:// or file: URL, was " + jwksUrl);
        ConfigException.requireText(issuer, "issuer");
        ConfigException.require(audience != null && !audience.isEmpty(), "audience",
                "must list the audience tokens for the gateway carry, so that a token for another service is refused");
        audience = List.copyOf(audience);
        principalClaim = principalClaim == null ? "sub" : principalClaim;
        clockSkewSeconds = clockSkewSeconds == null ? Integer.valueOf(30) : clockSkewSeconds;
        ConfigException.require(clockSkewSeconds >= 0, "clockSkewSeconds", "must be 0 or more, was " + clockSkewSeconds);
    }
}
