package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import dev.switchboard.config.GatewayConfig;
import dev.switchboard.failover.recovery.SwitchDecision;
import dev.switchboard.failover.replication.CatchUp;
import dev.switchboard.failover.replication.LagSample;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a failover or a planned switchover requested at this instance. Every instance, this one included,
 * acts on the switch state it writes; this class decides what to write and when.
 *
 * <p>Unplanned: the target becomes active at once, and the answer reports the replication lag last seen, the
 * records the target may lack. Planned: produce requests are held on every instance, replication is awaited
 * (equal end offsets, group offsets synced), then the target becomes active and the held producers resend there;
 * if replication does not catch up in time the hold ends and nothing else changes.
 */
public final class ClusterSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSwitch.class);
    private static final Duration POLL = Duration.ofMillis(250);
    /** How long after the planned timeout an orphaned hold lets go by itself. */
    private static final Duration HOLD_GRACE = Duration.ofSeconds(10);
    /** Instances that reported within this are live, and must hold before catch-up counts. */
    static final Duration INSTANCE_LIVENESS = Duration.ofSeconds(10);

    /** The instance's side: apply a state now; returns the client connections it closed. */
    public interface Applier extends ToIntFunction<SwitchState> {
    }

    /** The result of a switch, for the caller and the audit log. */
    public record Outcome(String result, String message, long epoch, String from, String to, boolean planned,
                          List<String> stateWrittenTo, int connectionsClosed, LagSample lagAtFailure,
                          CatchUp catchUp, long tookMillis) {
    }

    private final GatewayConfig config;
    private final SwitchStateStore store;
    private final MirrorMakerReplication replication;
    private final Applier applier;
    private final Supplier<String> activeCluster;
    private final Supplier<Map<String, InstanceReport>> instances;
    private final Clock clock;
    private final AtomicReference<SwitchPhase> phase = new AtomicReference<>(new SwitchPhase.Idle());

    public ClusterSwitch(GatewayConfig config, SwitchStateStore store, MirrorMakerReplication replication, Applier applier,
                         Supplier<String> activeCluster, Supplier<Map<String, InstanceReport>> instances, Clock clock) {
        this.config = config;
        this.store = store;
        this.replication = replication;
        this.applier = applier;
        this.activeCluster = activeCluster;
        this.instances = instances;
        this.clock = clock;
    }

    public SwitchPhase phase() {
        return phase.get();
    }

    /**
     * Switches to {@code target}. Refused, with nothing changed, when the target is unknown, already active, or
     * another switch requested here is still running, and a planned one when MirrorMaker 2 does not replicate the
     * active cluster into the target.
     */
    public Outcome failover(String target, boolean planned, String requestedBy) {
        return failover(target, planned, requestedBy, null);
    }

    /** As {@link #failover(String, boolean, String)}, recording how it was decided in the switch state. */
    public Outcome failover(String target, boolean planned, String requestedBy, SwitchDecision decision) {
        if (target == null || target.isBlank()) {
            throw new SwitchRefused(400, "'to' is required: the cluster to switch to, one of " + clusterNames());
        }
        if (config.cluster(target).isEmpty()) {
            throw new SwitchRefused(400, "unknown cluster '" + target + "'; clusters are " + clusterNames());
        }
        String source = activeCluster.get();
        if (source.equals(target)) {
            throw new SwitchRefused(409, "cluster '" + target + "' is already active; nothing to do");
        }
        SwitchPhase running = phase.get();
        if (!(running instanceof SwitchPhase.Idle)) {
            throw new SwitchRefused(409, "a switch is already running here (" + running.name() + "); wait for it to finish");
        }
        if (planned) {
            // Before anything is held: a planned switch without replication into the target could only wait and abort.
            replication.flowMissing(source, target).ifPresent(missing -> {
                throw new SwitchRefused(409, missing);
            });
        }
        Instant started = clock.instant();
        SwitchPhase begin = planned ? new SwitchPhase.HoldingProduce(source, target, started, 0, 0)
                : new SwitchPhase.Switching(source, target, started);
        if (!phase.compareAndSet(running, begin)) {
            throw new SwitchRefused(409, "a switch is already running here; wait for it to finish");
        }
        try {
            SwitchDecision how = decision != null ? decision : new SwitchDecision(requestedBy, started, null, null);
            return planned ? planned(source, target, requestedBy, started, how) : unplanned(source, target, requestedBy, started, how);
        } finally {
            phase.set(new SwitchPhase.Idle());
        }
    }

    private Outcome unplanned(String source, String target, String requestedBy, Instant started, SwitchDecision decision) {
        LagSample lag = replication.lagAtFailure(source, target).orElse(null);
        SwitchState next = current().next(target, requestedBy, clock.instant(), started).decidedBy(decision);
        List<String> writtenTo = store.write(next);
        int closed = applier.applyAsInt(next);
        LOG.info("Failover to {} done: epoch={} connectionsClosed={} lagAtFailure={}", target, next.epoch(), closed, lag);
        String lost = lag == null ? "replication was never measured, so what the target lacks is unknown"
                : lag.recordsBehind() + " records were not yet replicated when last measured at " + lag.sampledAt();
        return new Outcome("switched", "cluster " + target + " is active; " + lost,
                next.epoch(), source, target, false, writtenTo, closed, lag, null, millisSince(started));
    }

    private Outcome planned(String source, String target, String requestedBy, Instant started, SwitchDecision decision) {
        Duration timeout = Duration.ofSeconds(config.failover().plannedTimeoutSeconds());
        Instant deadline = started.plus(timeout);
        SwitchState hold = current().holding(target, deadline.plus(HOLD_GRACE), requestedBy, clock.instant());
        store.write(hold);
        applier.applyAsInt(hold);
        CatchUp status = null;
        boolean instancesHold = false;
        List<String> notWritten = List.of();
        while (clock.instant().isBefore(deadline)) {
            if (!instancesHold) {
                Map<String, InstanceReport> live = liveInstances();
                long holding = live.values().stream().filter(r -> r.holdingEpoch() == hold.epoch()).count();
                phase.set(new SwitchPhase.HoldingProduce(source, target, started, (int) holding, live.size()));
                instancesHold = holding == live.size();
            }
            if (instancesHold) {
                status = replication.catchUp(source, target);
                if (!status.caughtUp() && !status.exactOffsetsToWrite().isEmpty()) {
                    notWritten = reportChanged(notWritten, replication.writeExactOffsets(source, target, status));
                    status = replication.catchUp(source, target);
                }
                phase.set(new SwitchPhase.CatchingUp(source, target, started, status.summary()));
                if (status.caughtUp()) {
                    break;
                }
            }
            sleep(POLL);
        }
        if (status == null || !status.caughtUp()) {
            String waitedFor = !instancesHold ? "every gateway instance to hold produce requests ("
                    + ((SwitchPhase.HoldingProduce) phase.get()).instancesHolding() + " of " + ((SwitchPhase.HoldingProduce) phase.get()).instancesLive()
                    + " did)" : "replication to catch up: " + status.summary();
            String reason = "planned switchover to " + target + " aborted after " + timeout.toSeconds() + " s waiting for " + waitedFor
                    + "; cluster " + source + " stays active and held produce requests go on to it";
            phase.set(new SwitchPhase.Aborting(source, target, reason));
            SwitchState release = current().next(source, requestedBy, clock.instant());
            List<String> writtenTo = store.write(release);
            applier.applyAsInt(release);
            LOG.warn(reason);
            return new Outcome("aborted", reason, release.epoch(), source, target, true, writtenTo, 0, null, status, millisSince(started));
        }
        phase.set(new SwitchPhase.Switching(source, target, clock.instant()));
        ExactGroupOffsets exact = ExactGroupOffsets.of(exactOffsets(status));
        if (exact.leftOut() > 0) {
            LOG.warn("Planned switchover to {}: {} exact group offsets are not carried in the switch state (at most {}); consumers"
                    + " of those partitions are not kept from a rewind by MirrorMaker 2", target, exact.leftOut(), ExactGroupOffsets.MAX_PARTITIONS);
        }
        SwitchState next = current().next(target, requestedBy, clock.instant(), started).decidedBy(decision).withExactOffsets(exact);
        List<String> writtenTo = store.write(next);
        int closed = applier.applyAsInt(next);
        LOG.info("Planned switchover to {} done: epoch={} connectionsClosed={}", target, next.epoch(), closed);
        return new Outcome("switched", "cluster " + target + " is active; replication had caught up, so nothing acknowledged is"
                + " missing there", next.epoch(), source, target, true, writtenTo, closed, null, status, millisSince(started));
    }

    /** The target offsets of every group and partition the final check found exact. */
    private static Map<String, Map<TopicPartition, Long>> exactOffsets(CatchUp caughtUp) {
        Map<String, Map<TopicPartition, Long>> byGroup = new LinkedHashMap<>();
        caughtUp.groups().forEach(group -> {
            Map<TopicPartition, Long> offsets = group.exactOffsets();
            if (!offsets.isEmpty()) {
                byGroup.put(group.group(), offsets);
            }
        });
        return byGroup;
    }

    /** Logs what could not be written when it differs from the last time, so a wait that repeats logs once. */
    private static List<String> reportChanged(List<String> previous, List<String> problems) {
        if (!problems.isEmpty() && !problems.equals(previous)) {
            LOG.warn("Could not write exact group offsets to the target; waiting for MirrorMaker 2 to sync them instead: {}", problems);
        }
        return problems;
    }

    /** The instances that reported lately; this one counts even before its first report comes back. */
    private Map<String, InstanceReport> liveInstances() {
        Instant recent = clock.instant().minus(INSTANCE_LIVENESS);
        Map<String, InstanceReport> live = new LinkedHashMap<>();
        instances.get().forEach((id, report) -> {
            if (report.reportedAt() != null && report.reportedAt().isAfter(recent)) {
                live.put(id, report);
            }
        });
        return live;
    }

    private SwitchState current() {
        return store.known().orElseGet(() -> new SwitchState(0, activeCluster.get(), clock.instant(), "config"));
    }

    private List<String> clusterNames() {
        return config.clusters().stream().map(c -> c.name()).toList();
    }

    private long millisSince(Instant started) {
        return Duration.between(started, clock.instant()).toMillis();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SwitchRefused(500, "interrupted while switching");
        }
    }
}
