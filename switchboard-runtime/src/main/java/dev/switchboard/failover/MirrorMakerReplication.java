package dev.switchboard.failover;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.failover.replication.CatchUp;
import dev.switchboard.failover.replication.LagSample;
import dev.switchboard.failover.replication.ReplicationFlowCheck;
import dev.switchboard.failover.replication.ReplicationMonitor;

/**
 * MirrorMaker 2's replication from the active cluster to each other one, watched all the time, so a failover can
 * report the lag last seen even once the active cluster is gone.
 */
public final class MirrorMakerReplication implements AutoCloseable {

    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration FLOW_CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final GatewayConfig config;
    private final Map<String, ReplicationMonitor> monitors = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public MirrorMakerReplication(GatewayConfig config) {
        this.config = config;
    }

    /** Starts watching the flows out of {@code activeCluster}. */
    public synchronized void start(String activeCluster) {
        for (ClusterConfig target : config.clusters()) {
            if (!target.name().equals(activeCluster)) {
                monitor(activeCluster, target.name());
            }
        }
    }

    /** After a switch the flows out of the new active cluster matter; the old ones stay watched too (failback). */
    public void activeChanged(String activeCluster) {
        if (!closed) {
            start(activeCluster);
        }
    }

    /** The lag from {@code source} to {@code target} as last seen, if it ever was. */
    public Optional<LagSample> lagAtFailure(String source, String target) {
        return monitor(source, target).lastSample();
    }

    /** What is missing for MirrorMaker 2 to replicate {@code source} into {@code target}, or empty; see {@link ReplicationFlowCheck}. */
    public Optional<String> flowMissing(String source, String target) {
        return ReplicationFlowCheck.missing(source, config.failover().mirrorAlias(source), config.cluster(target).orElseThrow(),
                FLOW_CHECK_TIMEOUT);
    }

    /** Whether {@code target} has caught up with {@code source} now. */
    public CatchUp catchUp(String source, String target) {
        return monitor(source, target).checkCatchUp();
    }

    /** Writes the exact group offsets {@code check} found missing on {@code target}; returns what it could not. */
    public List<String> writeExactOffsets(String source, String target, CatchUp check) {
        return monitor(source, target).writeExactOffsets(check);
    }

    private synchronized ReplicationMonitor monitor(String source, String target) {
        return monitors.computeIfAbsent(source + "->" + target, flow -> {
            ReplicationMonitor monitor = new ReplicationMonitor(config.cluster(source).orElseThrow(), config.cluster(target).orElseThrow(),
                    config.failover().mirrorAlias(source), SAMPLE_INTERVAL);
            monitor.start();
            return monitor;
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        monitors.values().forEach(ReplicationMonitor::close);
        monitors.clear();
    }
}
