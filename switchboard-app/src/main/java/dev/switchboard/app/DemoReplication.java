package dev.switchboard.app;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.failover.replication.CatchUp;
import dev.switchboard.failover.replication.ReplicationFlowCheck;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.EmbeddedMirrorMaker;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's MirrorMaker 2, always copying the active cluster into the standby, so that every switch, the
 * failback included, can be planned and lose nothing.
 *
 * <p>After each switch the gateway made, the flow into the new active cluster stops and one out of it starts,
 * from the end offsets at the switch: with identity topic names a reverse flow started from the beginning would
 * copy back everything the old flow copied over. The old flow stops only after the switch, since a planned
 * switchover waits for it to catch up. A planned switch's catch-up read those end offsets while producers were
 * held, so they are exact; an unplanned one has none, and the new flow starts from the end offsets read just after
 * the switch (what clients wrote in between, or the old flow copied after, is missing or doubled on the old
 * cluster). Turning the flows takes seconds, on a thread of its own; the console says when it is done.
 */
final class DemoReplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoReplication.class);
    private static final Duration FLOW_CHECK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FLOW_SEEN_WAIT = Duration.ofSeconds(60);
    private static final Duration FLOW_CHECK_POLL = Duration.ofMillis(250);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final Map<String, EmbeddedKafkaCluster> clusters = new HashMap<>();
    private final PrintStream out;
    private final ExecutorService turner = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "switchboard-demo-replication");
        thread.setDaemon(true);
        return thread;
    });
    // Guarded by this.
    private EmbeddedMirrorMaker flow;

    private DemoReplication(EmbeddedKafkaCluster active, EmbeddedKafkaCluster standby, PrintStream out) {
        clusters.put(active.name(), active);
        clusters.put(standby.name(), standby);
        this.out = out;
        this.flow = EmbeddedMirrorMaker.builder(active, standby).start();
    }

    /** Starts copying {@code active} into {@code standby} from the beginning. */
    static DemoReplication start(EmbeddedKafkaCluster active, EmbeddedKafkaCluster standby, PrintStream out) {
        return new DemoReplication(active, standby, out);
    }

    synchronized void awaitRunning() {
        flow.awaitRunning();
    }

    /** A switch the gateway made: the flows turn around, in the background. */
    void switched(ClusterSwitch.Outcome outcome) {
        turner.execute(() -> {
            try {
                turn(outcome);
            } catch (RuntimeException e) {
                LOG.warn("Turning MirrorMaker 2 around after the switch to {} failed: {}", outcome.to(), e.toString());
                out.println("MirrorMaker 2 could not be turned around after the switch to " + outcome.to() + ": " + e
                        + "; a planned switch back will be refused");
            }
        });
    }

    private synchronized void turn(ClusterSwitch.Outcome outcome) {
        EmbeddedKafkaCluster active = clusters.get(outcome.to());
        EmbeddedKafkaCluster standby = clusters.get(outcome.from());
        Map<TopicPartition, Long> startingAt = outcome.catchUp() != null ? targetEnds(outcome.catchUp())
                : flow.endOffsets(flow.replicatedTopics()).target();
        flow.close();
        flow = EmbeddedMirrorMaker.builder(active, standby).startingAt(startingAt).start();
        flow.awaitRunning();
        // Announced once a planned switch back would pass its check for this flow.
        awaitFlowSeen(active, standby);
        out.printf("%nMirrorMaker 2 now copies %1$s -> %2$s (it stopped copying %2$s -> %1$s at the switch), from the end"
                + " offsets at the switch%3$s: a planned switch back to %2$s carries everything written to %1$s.%n",
                active.name(), standby.name(), outcome.planned() ? "" : " (read just after it, as the failover was unplanned)");
        out.flush();
    }

    /** MirrorMaker 2's checkpoint connector creates its topic soon after it runs; a planned switch looks for it. */
    private static void awaitFlowSeen(EmbeddedKafkaCluster source, EmbeddedKafkaCluster target) {
        ClusterConfig targetConfig = new ClusterConfig(target.name(), target.bootstrapServers(), Map.of());
        long deadline = System.nanoTime() + FLOW_SEEN_WAIT.toNanos();
        Optional<String> missing = ReplicationFlowCheck.missing(source.name(), source.name(), targetConfig, FLOW_CHECK_TIMEOUT);
        while (missing.isPresent() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(FLOW_CHECK_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for MirrorMaker 2 " + source.name() + " -> " + target.name(), e);
            }
            missing = ReplicationFlowCheck.missing(source.name(), source.name(), targetConfig, FLOW_CHECK_TIMEOUT);
        }
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get() + " (after " + FLOW_SEEN_WAIT.toSeconds() + " s)");
        }
    }

    /** Where each partition ended on the cluster switched to, read while producers were held. */
    private static Map<TopicPartition, Long> targetEnds(CatchUp catchUp) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        catchUp.topics().forEach(topic -> topic.partitions().forEach((partition, lag) ->
                ends.put(new TopicPartition(topic.topic(), partition), lag.targetEndOffset())));
        return ends;
    }

    @Override
    public void close() {
        turner.shutdown();
        try {
            // A turn under way finishes, so the flow it starts is the one stopped below.
            if (!turner.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("MirrorMaker 2 was still turning around after {}; stopping it anyway", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            flow.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "DemoReplication[" + flow + "]";
    }
}
