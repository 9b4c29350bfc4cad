package dev.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.kafka.common.Uuid;

/**
 * Where clients reach the gateway.
 *
 * @param bindHost        interface the listeners bind to
 * @param advertisedHost  host name written into every broker address a client sees
 * @param bootstrapPort   the one address clients configure
 * @param nodePorts       one port per upstream node, handed out as nodes appear in metadata
 * @param maxFrameBytes   largest request a client may send; a bigger frame closes that connection
 * @param clusterId       the cluster id clients see whichever cluster serves them; by default derived from
 *                        the advertised host and bootstrap port, so instances behind one address agree on it
 * @param strictRequests  parse every request body with Kafka's generated classes before forwarding it, and close
 *                        the connection of a client that sends one that does not parse, instead of letting the
 *                        broker find out
 */
public record ListenerConfig(String bindHost, String advertisedHost, int bootstrapPort, PortRange nodePorts,
                             int maxFrameBytes, String clusterId, boolean strictRequests) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

    public ListenerConfig(String bindHost, String advertisedHost, int bootstrapPort, PortRange nodePorts, int maxFrameBytes) {
        this(bindHost, advertisedHost, bootstrapPort, nodePorts, maxFrameBytes, null, false);
    }

    public ListenerConfig(String bindHost, String advertisedHost, int bootstrapPort, PortRange nodePorts, int maxFrameBytes,
                          String clusterId) {
        this(bindHost, advertisedHost, bootstrapPort, nodePorts, maxFrameBytes, clusterId, false);
    }

    public ListenerConfig {
        bindHost = bindHost == null ? "0.0.0.0" : bindHost;
        advertisedHost = advertisedHost == null ? "localhost" : advertisedHost;
        ConfigException.requireText(bindHost, "bindHost");
        ConfigException.requireText(advertisedHost, "advertisedHost");
        ConfigException.requirePort(bootstrapPort, "bootstrapPort");
        ConfigException.require(nodePorts != null, "nodePorts", "is required, e.g. {first: 9093, last: 9192}");
        ConfigException.require(!nodePorts.contains(bootstrapPort), "nodePorts",
                "must not contain the bootstrap port " + bootstrapPort + ", was " + nodePorts);
        maxFrameBytes = maxFrameBytes == 0 ? DEFAULT_MAX_FRAME_BYTES : maxFrameBytes;
        ConfigException.require(maxFrameBytes >= 1024, "maxFrameBytes", "must be at least 1024, was " + maxFrameBytes);
        if (clusterId == null) {
            UUID derived = UUID.nameUUIDFromBytes(("switchboard:" + advertisedHost + ":" + bootstrapPort).getBytes(StandardCharsets.UTF_8));
            clusterId = new Uuid(derived.getMostSignificantBits(), derived.getLeastSignificantBits()).toString();
        }
        ConfigException.require(clusterId.matches("[A-Za-z0-9_-]{1,64}"), "clusterId",
                "may contain only letters, digits, '_' and '-' (at most 64), was '" + clusterId + "'");
    }

    /** The same listener with strict request parsing on or off. */
    public ListenerConfig withStrictRequests(boolean strict) {
        return new ListenerConfig(bindHost, advertisedHost, bootstrapPort, nodePorts, maxFrameBytes, clusterId, strict);
    }
}
