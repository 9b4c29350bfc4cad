package dev.switchboard.config;

import java.util.List;
import java.util.Locale;

/**
 * A key or trust store file.
 *
 * @param location    the file
 * @param password    the store's password (a trust store may have none)
 * @param type        {@code PKCS12} (the default) or {@code JKS}
 * @param keyPassword the key's password in a key store, when it differs from the store's
 */
public record StoreConfig(String location, String password, String type, String keyPassword) {

    static final List<String> TYPES = List.of("PKCS12", "JKS");

    public StoreConfig {
        ConfigException.requireText(location, "location");
        type = type == null ? "PKCS12" : type.trim().toUpperCase(Locale.ROOT);
        ConfigException.require(TYPES.contains(type), "type", "must be one of " + TYPES + ", was " + type);
    }

    @Override
    public String toString() {
        return "StoreConfig[location=" + location + ", type=" + type + ", passwords=(hidden)]";
    }
}
