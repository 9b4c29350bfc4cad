package dev.switchboard.config;

/** A {@code host:port} pair, as Kafka writes broker addresses. */
public record HostPort(String host, int port) {

    public HostPort {
        ConfigException.requireText(host, "host");
        ConfigException.requirePort(port, "port");
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}; a bad value is reported under {@code key}. */
    public static HostPort parse(String value, String key) {
        int colon = value == null ? -1 : value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException(key, "'" + value + "' is not host:port");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(value.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + value + "' has no numeric port");
        } catch (ConfigException e) {
            throw new ConfigException(key, "'" + value + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
