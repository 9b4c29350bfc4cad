package dev.switchboard.config;

/** Where the admin HTTP API (health, metrics, status) listens. */
public record AdminConfig(String bindHost, Integer port) {

    public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", 8080);

    public AdminConfig {
        bindHost = bindHost == null ? "127.0.0.1" : bindHost;
        port = port == null ? Integer.valueOf(8080) : port;
        ConfigException.requireText(bindHost, "bindHost");
        // Port 0 asks the OS for a free port, which tests use.
        ConfigException.require(port >= 0 && port <= 65535, "port", "must be a port between 0 and 65535, was " + port);
    }
}
