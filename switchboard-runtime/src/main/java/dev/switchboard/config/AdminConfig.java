package dev.switchboard.config;

/**
 * Where the admin HTTP API (health, metrics, status, failover, chaos, users) listens, and who may call it.
 *
 * @param auth tokens and roles; see {@link AdminAuthConfig}
 */
public record AdminConfig(String bindHost, Integer port, AdminAuthConfig auth) {

    public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", 8080, null);

    /** Tokens required, and none written to a file: tokens come from {@code Gateway.adminTokens()}. */
    public AdminConfig(String bindHost, Integer port) {
        this(bindHost, port, AdminAuthConfig.NO_TOKEN_FILE);
    }

    public AdminConfig {
        auth = auth == null ? AdminAuthConfig.DEFAULT : auth;
        bindHost = bindHost == null ? "127.0.0.1" : bindHost;
        port = port == null ? Integer.valueOf(8080) : port;
        ConfigException.requireText(bindHost, "bindHost");
        // Port 0 asks the OS for a free port, which tests use.
        ConfigException.require(port >= 0 && port <= 65535, "port", "must be a port between 0 and 65535, was " + port);
    }
}
