package dev.switchboard.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.switchboard.datapath.ConnectionInfo;
import dev.switchboard.failover.AutoFailoverState;
import dev.switchboard.health.Verdict;
import dev.switchboard.security.ConnectionStormGuard;

/**
 * What {@code GET /api/v1/status} shows: clusters, listeners and who is connected.
 *
 * @param switchEpoch the epoch of the switch state this gateway follows, null while no switch was ever recorded
 * @param chaosRules  the names of the chaos rules acting now
 * @param overLimits  clients (principals, client ids) over a connection limit in the last five minutes
 * @param health      the active cluster's health verdict and its evidence
 * @param autoFailover where the automatic failover stands
 */
public record GatewayStatus(String activeCluster, Long switchEpoch, List<Cluster> clusters, Listeners listeners,
                            int openConnections, List<ClientGroup> clients, List<String> chaosRules, Verdict health,
                            AutoFailoverStatus autoFailover, List<ConnectionStormGuard.OverLimit> overLimits) {

    /**
     * The automatic failover's settings and state ({@code Off}, {@code Watching}, {@code Armed}, {@code Vetoed},
     * {@code Cancelled}, {@code Decided}); {@code detail} holds the round's proposal and what settled it.
     */
    public record AutoFailoverStatus(boolean enabled, String to, String downFor, String vetoWindow, String state,
                                     AutoFailoverState detail) {
    }

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
