package dev.switchboard.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@code switchboard serve} needs: the client-facing listener, the admin API, the upstream
 * clusters, which of them serves clients, how switches between them behave, chaos rules to load at start, and how
 * the active cluster's health is judged, and who clients are.
 */
public record GatewayConfig(ListenerConfig listener, AdminConfig admin, List<ClusterConfig> clusters, String activeCluster,
                            FailoverConfig failover, ChaosConfig chaos, DetectionConfig detection, SecurityConfig security) {

    public GatewayConfig(ListenerConfig listener, AdminConfig admin, List<ClusterConfig> clusters, String activeCluster) {
        this(listener, admin, clusters, activeCluster, null, null, null, null);
    }

    public GatewayConfig(ListenerConfig listener, AdminConfig admin, List<ClusterConfig> clusters, String activeCluster,
                         FailoverConfig failover) {
        this(listener, admin, clusters, activeCluster, failover, null, null, null);
    }

    public GatewayConfig(ListenerConfig listener, AdminConfig admin, List<ClusterConfig> clusters, String activeCluster,
                         FailoverConfig failover, ChaosConfig chaos) {
        this(listener, admin, clusters, activeCluster, failover, chaos, null, null);
    }

    public GatewayConfig(ListenerConfig listener, AdminConfig admin, List<ClusterConfig> clusters, String activeCluster,
                         FailoverConfig failover, ChaosConfig chaos, DetectionConfig detection) {
        this(listener, admin, clusters, activeCluster, failover, chaos, detection, null);
    }

    public GatewayConfig {
        ConfigException.require(listener != null, "listener", "is required");
        admin = admin == null ? AdminConfig.DEFAULT : admin;
        ConfigException.require(clusters != null && !clusters.isEmpty(), "clusters", "must list at least one upstream cluster");
        clusters = List.copyOf(clusters);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < clusters.size(); i++) {
            ConfigException.require(clusters.get(i) != null, "clusters[" + i + "]", "is empty");
            ConfigException.require(names.add(clusters.get(i).name()), "clusters[" + i + "].name",
                    "'" + clusters.get(i).name() + "' is used by another cluster");
        }
        if (activeCluster == null && clusters.size() == 1) {
            activeCluster = clusters.get(0).name();
        }
        ConfigException.requireText(activeCluster, "activeCluster");
        ConfigException.require(names.contains(activeCluster), "activeCluster",
                "'" + activeCluster + "' is not one of the configured clusters " + names);
        failover = failover == null ? FailoverConfig.DEFAULT : failover;
        chaos = chaos == null ? ChaosConfig.DEFAULT : chaos;
        detection = detection == null ? DetectionConfig.DEFAULT : detection;
        security = security == null ? SecurityConfig.NONE : security;
        AutoFailoverConfig auto = detection.autoFailover();
        if (auto.enabled()) {
            ConfigException.require(names.contains(auto.to()), "detection.autoFailover.to",
                    "'" + auto.to() + "' is not one of the configured clusters " + names);
            ConfigException.require(!auto.to().equals(activeCluster), "detection.autoFailover.to",
                    "must name the standby, not the active cluster '" + activeCluster + "'");
        }
        for (Map.Entry<String, String> pin : failover.pinnedTopics().entrySet()) {
            ConfigException.require(names.contains(pin.getValue()), "failover.pinnedTopics." + pin.getKey(),
                    "'" + pin.getValue() + "' is not one of the configured clusters " + names);
        }
        for (String aliased : failover.mirrorAliases().keySet()) {
            ConfigException.require(names.contains(aliased), "failover.mirrorAliases." + aliased,
                    "is not one of the configured clusters " + names);
        }
    }

    /** The same config with {@code security} instead. */
    public GatewayConfig withSecurity(SecurityConfig replacement) {
        return new GatewayConfig(listener, admin, clusters, activeCluster, failover, chaos, detection, replacement);
    }

    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
