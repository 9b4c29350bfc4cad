package dev.switchboard.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where alerts go besides the log and the metrics.
 *
 * @param webhook      an http(s) URL every alert is POSTed to as JSON; none if unset
 * @param timeout      how long one POST may take, connecting included (default 5s)
 * @param maxQueued    how many alerts may wait for the webhook; beyond it they are dropped and counted (default 100)
 */
public record AlertConfig(String webhook, String timeout, Integer maxQueued) {

    public static final AlertConfig DEFAULT = new AlertConfig(null, null, null);

    public AlertConfig {
        if (webhook != null) {
            ConfigException.require(!webhook.isBlank(), "webhook", "must be an http:// or https:// URL when set");
            URI uri;
            try {
                uri = new URI(webhook.strip());
            } catch (URISyntaxException e) {
                throw new ConfigException("webhook", "is not a URL: " + e.getMessage());
            }
            ConfigException.require(("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null,
                    "webhook", "must be an http:// or https:// URL with a host, was '" + webhook + "'");
        }
        timeout = timeout == null ? "5s" : timeout;
        DetectionConfig.positive(timeout, "timeout");
        maxQueued = maxQueued == null ? Integer.valueOf(100) : maxQueued;
        ConfigException.require(maxQueued >= 1 && maxQueued <= 100_000, "maxQueued",
                "must be between 1 and 100000, was " + maxQueued);
    }
}
