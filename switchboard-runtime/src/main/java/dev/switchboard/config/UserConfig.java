package dev.switchboard.config;

import java.util.List;

/**
 * A user clients authenticate as.
 *
 * @param name       the user name; the principal is {@code User:<name>}
 * @param password   salted as it is read, for each of {@code mechanisms}
 * @param mechanisms the SCRAM mechanisms it gets a credential for (default both); PLAIN checks a password against
 *                   either
 */
public record UserConfig(String name, String password, List<String> mechanisms) {

    public static final List<String> SCRAM_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256");

    public UserConfig {
        ConfigException.requireText(name, "name");
        ConfigException.require(password != null && !password.isEmpty(), "password", "is required for user " + name);
        mechanisms = mechanisms == null || mechanisms.isEmpty() ? SCRAM_MECHANISMS : List.copyOf(mechanisms);
        for (int i = 0; i < mechanisms.size(); i++) {
            ConfigException.require(SCRAM_MECHANISMS.contains(mechanisms.get(i)), "mechanisms[" + i + "]",
                    "must be one of " + SCRAM_MECHANISMS + ", was " + mechanisms.get(i));
        }
    }

    @Override
    public String toString() {
        return "UserConfig[name=" + name + ", password=(hidden), mechanisms=" + mechanisms + "]";
    }
}
