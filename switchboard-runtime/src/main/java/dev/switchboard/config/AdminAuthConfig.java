package dev.switchboard.config;

import java.nio.file.Path;

/**
 * Who may call the admin API: bearer tokens with a role (viewer, operator, admin), kept hashed in the shared state.
 *
 * @param enabled     off only on purpose: every call is then anonymous and may do anything (default on)
 * @param openHealth  whether {@code /health/*} and {@code /metrics} answer without a token, for probes and
 *                    scrapers (default on)
 * @param tokenFile   where a gateway that knows no token yet writes an admin token it makes, readable by its owner
 *                    only, and where the CLI on the same machine looks for one; a token already there is used again
 *                    after a restart (default {@code ~/.switchboard/admin-token}; {@code none} for no file)
 */
public record AdminAuthConfig(Boolean enabled, Boolean openHealth, String tokenFile) {

    public static final String DEFAULT_TOKEN_FILE = Path.of(System.getProperty("user.home"), ".switchboard", "admin-token").toString();
    public static final AdminAuthConfig DEFAULT = new AdminAuthConfig(null, null, null);
    /** Tokens required, none written to a file: for gateways whose tokens are made through the API (tests). */
    public static final AdminAuthConfig NO_TOKEN_FILE = new AdminAuthConfig(null, null, "none");

    public AdminAuthConfig {
        enabled = enabled == null || enabled;
        openHealth = openHealth == null || openHealth;
        tokenFile = tokenFile == null ? DEFAULT_TOKEN_FILE : tokenFile;
        ConfigException.require(!tokenFile.isBlank(), "tokenFile", "must be a file path, or none");
    }

    /** The token file, unless there is to be none; a leading {@code ~/} is the user's home. */
    public Path tokenPath() {
        if (tokenFile.equals("none")) {
            return null;
        }
        return tokenFile.startsWith("~/") ? Path.of(System.getProperty("user.home"), tokenFile.substring(2)) : Path.of(tokenFile);
    }
}
