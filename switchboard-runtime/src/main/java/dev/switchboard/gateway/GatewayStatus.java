package dev.switchboard.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.switchboard.datapath.ConnectionInfo;

/**
 * What {@code GET /api/v1/status} shows: clusters, listeners and who is connected.
 *
 * @param switchEpoch the epoch of the switch state this gateway follows, null while no switch was ever recorded
 * @param chaosRules  the names of the chaos rules acting now
 */
public record GatewayStatus(String activeCluster, Long switchEpoch, List<Cluster> clusters, Listeners listeners,
                            int openConnections, List<ClientGroup> clients, List<String> chaosRules) {

    /** One upstream cluster. {@code nodes} maps node id to the broker address the gateway routes to. */
    public record Cluster(String name, String bootstrapServers, boolean active, boolean reachable, String clusterId,
                          Map<Integer, String> nodes, String lastError, Instant checkedAt) {
    }

    /** Where clients connect. {@code nodePorts} maps node id to the gateway port that stands for it. */
    public record Listeners(String bindHost, String advertisedHost, int bootstrapPort, String nodePortRange,
                            Map<Integer, Integer> nodePorts) {
    }

    /** The open connections of one client id. */
    public record ClientGroup(String clientId, int connections, List<ConnectionInfo> details) {
    }
}
