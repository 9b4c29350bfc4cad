package dev.switchboard.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ClusterConfig;

/**
 * All upstream clusters and which one is active.
 *
 * <p>New client connections are routed to the active cluster; every connection remembers the cluster it was
 * routed to, so a switch is a change of this one field plus closing the connections on the old cluster.
 */
public final class UpstreamClusters implements AutoCloseable {

    private final Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
    private final ScheduledExecutorService discovery = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "switchboard-discovery");
        thread.setDaemon(true);
        return thread;
    });
    private volatile UpstreamCluster active;

    public UpstreamClusters(List<ClusterConfig> configs, String activeCluster) {
        for (ClusterConfig config : configs) {
            clusters.put(config.name(), new UpstreamCluster(config));
        }
        this.active = cluster(activeCluster);
    }

    public UpstreamCluster active() {
        return active;
    }

    public Collection<UpstreamCluster> all() {
        return clusters.values();
    }

    public UpstreamCluster cluster(String name) {
        UpstreamCluster cluster = clusters.get(name);
        if (cluster == null) {
            throw new IllegalArgumentException("unknown cluster '" + name + "'; clusters are " + clusters.keySet());
        }
        return cluster;
    }

    /** Makes {@code name} the cluster new connections go to. */
    public void activate(String name) {
        this.active = cluster(name);
    }

    /** Discovers every cluster now, then keeps checking them every {@code interval}. */
    public CompletableFuture<Void> startDiscovery(Duration interval) {
        CompletableFuture<?>[] first = clusters.values().stream().map(UpstreamCluster::discover).toArray(CompletableFuture[]::new);
        discovery.scheduleWithFixedDelay(() -> clusters.values().forEach(c -> c.discover().join()),
                interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.allOf(first);
    }

    @Override
    public void close() {
        discovery.shutdownNow();
        clusters.values().forEach(UpstreamCluster::close);
    }
}
