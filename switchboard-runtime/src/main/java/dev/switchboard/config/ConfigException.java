package dev.switchboard.config;

/** A configuration value that cannot be used. The key is the dotted path from the document root. */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }

    public String problem() {
        return getMessage().substring(key.length() + 2);
    }

    /** The same problem, seen from a parent record: {@code port} becomes {@code admin.port}. */
    public ConfigException under(String parent) {
        return new ConfigException(parent + "." + key, problem());
    }

    static void require(boolean condition, String key, String problem) {
        if (!condition) {
            throw new ConfigException(key, problem);
        }
    }

    static void requirePort(int port, String key) {
        require(port != 0, key, "is required: a port between 1 and 65535");
        require(port >= 1 && port <= 65535, key, "must be a port between 1 and 65535, was " + port);
    }

    static void requireText(String value, String key) {
        require(value != null && !value.isBlank(), key, "is required");
    }
}
