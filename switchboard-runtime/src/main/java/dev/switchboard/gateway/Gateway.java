package dev.switchboard.gateway;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.switchboard.cluster.ClusterView;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.datapath.AddressRewriter;
import dev.switchboard.datapath.ConnectionInfo;
import dev.switchboard.datapath.ConnectionRegistry;
import dev.switchboard.datapath.DataPath;
import dev.switchboard.datapath.GatewayServer;
import dev.switchboard.datapath.Listener;
import dev.switchboard.datapath.NodePortMap;
import dev.switchboard.datapath.PipelineExtension;
import dev.switchboard.datapath.Transport;
import dev.switchboard.datapath.UpstreamConnector;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.failover.SwitchState;
import dev.switchboard.failover.SwitchStateStore;
import dev.switchboard.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: listeners, data path, upstream clusters and metrics, started from one config. */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(5);
    private static final Duration FIRST_DISCOVERY_WAIT = Duration.ofSeconds(15);

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final UpstreamClusters clusters;
    private final GatewayServer server;
    private final NodePortMap nodePorts;
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private volatile SwitchState switchState;

    private Gateway(GatewayConfig config, List<PipelineExtension> extensions) {
        this.config = config;
        ListenerConfig listener = config.listener();
        Transport transport = Transport.best();
        // Built before anything starts a thread: it reads key stores, and a failure must leave nothing running.
        UpstreamConnector connector = new UpstreamConnector(transport, GatewayServer.WATER_MARK, config.clusters());
        this.metrics = new GatewayMetrics();
        this.clusters = new UpstreamClusters(config.clusters(), config.activeCluster());
        this.server = new GatewayServer(transport, Runtime.getRuntime().availableProcessors(), listener.bindHost(), extensions);
        this.nodePorts = new NodePortMap(listener.nodePorts(), (nodeId, port) -> server.openAsync(new Listener.Node(nodeId, port)));
        server.attach(new DataPath(clusters, new AddressRewriter(listener.advertisedHost(), nodePorts),
                ResponseRewriters.standard(), connector, connections, metrics, listener.maxFrameBytes()));
    }

    public static Gateway start(GatewayConfig config) {
        return start(config, List.of());
    }

    /**
     * Starts the gateway. Waits a bounded time for the first discovery of the clusters so the known nodes'
     * ports are open before the bootstrap port is, then opens the bootstrap port. An unreachable cluster does
     * not stop start-up; it shows as not ready.
     */
    public static Gateway start(GatewayConfig config, List<PipelineExtension> extensions) {
        Gateway gateway = new Gateway(config, extensions);
        try {
            gateway.startListening();
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void startListening() {
        for (UpstreamCluster cluster : clusters.all()) {
            cluster.onNodesChanged(c -> nodePorts.assignAll(c.view().nodes().keySet()));
        }
        try {
            clusters.startDiscovery(DISCOVERY_INTERVAL).get(FIRST_DISCOVERY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Clusters not discovered within {}; starting anyway", FIRST_DISCOVERY_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while discovering clusters", e);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Cluster discovery failed: {}", e.getCause().toString());
        }
        followSwitchState();
        for (Map.Entry<Integer, Integer> node : nodePorts.snapshot().entrySet()) {
            server.open(new Listener.Node(node.getKey(), node.getValue()));
        }
        server.open(new Listener.Bootstrap(config.listener().bootstrapPort()));
        UpstreamCluster active = clusters.active();
        LOG.info("Gateway ready at {}:{} in front of cluster {} ({})", config.listener().advertisedHost(),
                config.listener().bootstrapPort(), active.name(),
                active.view().reachable() ? "reachable" : "unreachable: " + active.view().lastError());
    }

    /**
     * A switch any instance recorded outranks the config file, so a new instance starts where the others are.
     * Only clusters that answered discovery are asked, so a dead cluster costs start-up nothing more.
     */
    private void followSwitchState() {
        List<ClusterConfig> reachable = clusters.all().stream().filter(c -> c.view().reachable())
                .map(UpstreamCluster::config).toList();
        Optional<SwitchState> state = new SwitchStateStore(reachable).read();
        if (state.isEmpty()) {
            return;
        }
        String named = state.get().activeCluster();
        if (config.cluster(named).isEmpty()) {
            LOG.warn("Switch state epoch={} names cluster={}, which this gateway's config does not have; staying on {}",
                    state.get().epoch(), named, clusters.active().name());
            return;
        }
        clusters.activate(named);
        switchState = state.get();
        LOG.info("Following switch state epoch={}: active cluster is {} (config says {})", state.get().epoch(), named,
                config.activeCluster());
    }

    public GatewayConfig config() {
        return config;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public UpstreamClusters clusters() {
        return clusters;
    }

    /** Ready while the active cluster answered its last check. */
    public boolean ready() {
        return clusters.active().view().reachable();
    }

    public GatewayStatus status() {
        UpstreamCluster active = clusters.active();
        List<GatewayStatus.Cluster> clusterStatus = clusters.all().stream().map(c -> {
            ClusterView view = c.view();
            Map<Integer, String> nodes = new TreeMap<>();
            view.nodes().forEach((id, address) -> nodes.put(id, address.toString()));
            return new GatewayStatus.Cluster(c.name(), c.config().bootstrapServers(), c == active, view.reachable(),
                    view.clusterId(), nodes, view.lastError(), view.checkedAt());
        }).toList();
        ListenerConfig listener = config.listener();
        GatewayStatus.Listeners listeners = new GatewayStatus.Listeners(listener.bindHost(), listener.advertisedHost(),
                listener.bootstrapPort(), listener.nodePorts().toString(), nodePorts.snapshot());
        List<ConnectionInfo> open = connections.snapshot();
        List<GatewayStatus.ClientGroup> clients = open.stream()
                .collect(Collectors.groupingBy(ConnectionInfo::clientId, TreeMap::new, Collectors.toList()))
                .entrySet().stream()
                .map(e -> new GatewayStatus.ClientGroup(e.getKey(), e.getValue().size(),
                        e.getValue().stream().sorted(Comparator.comparing(ConnectionInfo::openedAt)).toList()))
                .toList();
        return new GatewayStatus(active.name(), switchState == null ? null : switchState.epoch(), clusterStatus, listeners,
                open.size(), clients);
    }

    @Override
    public void close() {
        server.close();
        clusters.close();
        LOG.info("Gateway stopped");
    }
}
