package dev.switchboard.config;

/** An inclusive range of TCP ports, written {@code first: 9093, last: 9192}. */
public record PortRange(int first, int last) {

    public PortRange {
        ConfigException.requirePort(first, "first");
        ConfigException.requirePort(last, "last");
        ConfigException.require(last >= first, "last", "must not be below first (" + first + "), was " + last);
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
