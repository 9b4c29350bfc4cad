package dev.switchboard.failover.replication;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.failover.ClusterClientProperties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;

/**
 * Whether MirrorMaker 2 replicates a source into a target at all, checked before a planned switch holds a single
 * produce request. Without it, a planned failback would hold producers for the whole timeout waiting for a catch-up
 * that cannot come.
 *
 * <p>The sign is MirrorMaker 2's checkpoints topic for the source, {@code <sourceAlias>.checkpoints.internal},
 * which its checkpoint connector creates on the target when a flow starts, whatever the offset-syncs location.
 * The topic outlives the flow, so a flow stopped since passes this check; the catch-up wait then finds what it
 * lacks. One topic listing, with a short-lived Admin client, bounded by the timeout.
 */
public final class ReplicationFlowCheck {

    private ReplicationFlowCheck() {
    }

    /**
     * What is missing for a flow from {@code source} (MirrorMaker 2 alias {@code sourceAlias}) into {@code target},
     * or empty when the flow exists.
     */
    public static Optional<String> missing(String source, String sourceAlias, ClusterConfig target, Duration timeout) {
        String checkpoints = new IdentityReplicationPolicy().checkpointsTopic(sourceAlias);
        String flow = "no replication from " + source + " to " + target.name();
        String remedy = "start a MirrorMaker 2 flow " + source + "->" + target.name()
                + " (see docs/failover.md#failback) or use an unplanned failover";
        try (Admin admin = Admin.create(ClusterClientProperties.of(target, "switchboard-replication-check", timeout))) {
            // Kafka lists MirrorMaker 2's '.internal' topics as ordinary ones, so the default listing has them.
            Set<String> topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (topics.contains(checkpoints)) {
                return Optional.empty();
            }
            return Optional.of(flow + ": MirrorMaker 2's checkpoints topic '" + checkpoints + "' does not exist on "
                    + target.name() + "; " + remedy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking replication from " + source + " to " + target.name());
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            return Optional.of("could not check replication from " + source + " to " + target.name() + ": cluster "
                    + target.name() + " did not list its topics within " + timeout.toSeconds() + " s (" + cause
                    + "); a planned switch needs it to answer");
        }
    }
}
