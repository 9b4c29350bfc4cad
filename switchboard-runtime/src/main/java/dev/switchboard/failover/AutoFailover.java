package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.switchboard.alert.Alert;
import dev.switchboard.alert.Alerts;
import dev.switchboard.config.AutoFailoverConfig;
import dev.switchboard.failover.AutoFailoverEvent.Kind;
import dev.switchboard.failover.recovery.SwitchDecision;
import dev.switchboard.health.Health;
import dev.switchboard.health.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional automatic failover. Once this instance has judged the active cluster down for {@code downFor}, it
 * proposes an unplanned failover to the standby; the veto window opens. When it closes with no veto and the cluster
 * still down, the proposer decides, and its failover writes the next switch epoch.
 *
 * <p>Exactly one instance decides, however many see the outage: every step is written to the switch-state topic and
 * read back from the standby cluster's copy of it, whose one partition orders the steps the same for everyone (see
 * {@link AutoFailoverEvent}). In each round of an epoch the first proposal wins and the others are ignored; a veto
 * that the topic holds before the decision stops the round; a decision before the veto makes the veto too late.
 * A round is tied to the epoch it would replace, so a failover an operator made meanwhile makes it moot.
 *
 * <p>A vetoed round is not proposed again during the same outage: only after the cluster was judged up and then down
 * again. The proposer decides when its timer fires at the window's end, or at its first check after it, whichever
 * comes first. A round whose proposer vanished (no decision {@value #ABANDONED_AFTER_SECONDS} s after its window closed)
 * is abandoned, and the next proposal opens a new window.
 */
public final class AutoFailover implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AutoFailover.class);
    static final long ABANDONED_AFTER_SECONDS = 30;
    /** How long a step may take to come back from the standby's topic. */
    private static final Duration READ_BACK = Duration.ofSeconds(10);

    /** Where steps are written: the switch-state topic on every cluster ({@link SwitchStateStore#publish}). */
    @FunctionalInterface
    public interface Steps {
        void publish(String key, Object step);
    }

    /** This instance's failover, once decided. */
    @FunctionalInterface
    public interface Trigger {
        ClusterSwitch.Outcome failover(String target, SwitchDecision decision);
    }

    /** A veto's answer: whether the round was stopped, and the proposal it was about. */
    public record VetoOutcome(String result, String message, AutoFailoverEvent proposal) {
    }

    /** One round as the standby's topic ordered it: the winning proposal, and what settled it. */
    private static final class Round {
        AutoFailoverEvent proposal;
        AutoFailoverEvent settled;
    }

    private final AutoFailoverConfig config;
    private final Steps steps;
    private final LongSupplier epoch;
    private final Supplier<String> activeCluster;
    private final Trigger trigger;
    private final Alerts alerts;
    private final String instanceId;
    private final Clock clock;
    private final Duration vetoWindow;
    private final Duration downFor;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "switchboard-auto-failover");
        thread.setDaemon(true);
        return thread;
    });
    /** Rounds by epoch, then round number; epochs below the current one are dropped. Guarded by this. */
    private final TreeMap<Long, TreeMap<Integer, Round>> rounds = new TreeMap<>();
    /** Steps written here, by id, until the topic gives them back. */
    private final Map<String, CompletableFuture<Round>> readBack = new ConcurrentHashMap<>();
    private Verdict lastVerdict; // guarded by this
    /** The proposals this instance settled, so the timer and a check never both write a step. Guarded by this. */
    private final Set<String> settledHere = new HashSet<>();
    private Instant proposedAt; // guarded by this

    public AutoFailover(AutoFailoverConfig config, Steps steps, LongSupplier epoch, Supplier<String> activeCluster,
                        Trigger trigger, Alerts alerts, String instanceId, Clock clock) {
        this.config = config;
        this.steps = steps;
        this.epoch = epoch;
        this.activeCluster = activeCluster;
        this.trigger = trigger;
        this.alerts = alerts;
        this.instanceId = instanceId;
        this.clock = clock;
        this.vetoWindow = config.vetoFor();
        this.downFor = config.judgedDownFor();
    }

    public AutoFailoverConfig config() {
        return config;
    }

    /** The health judge's verdict after a check: may propose, or cancel this instance's proposal. */
    public synchronized void verdict(Verdict verdict) {
        lastVerdict = verdict;
        if (!config.enabled() || activeCluster.get().equals(config.to()) || !verdict.cluster().equals(activeCluster.get())) {
            return;
        }
        long current = epoch.getAsLong();
        Instant now = clock.instant();
        Round open = openRound(current, now);
        if (verdict.health() != Health.DOWN) {
            if (open != null && open.proposal.by().equals(instanceId) && settledHere.add(open.proposal.id())) {
                publish(step(Kind.CANCELLED, open.proposal, "cluster " + verdict.cluster() + " is judged "
                        + verdict.health().label() + " again"));
            }
            return;
        }
        if (open != null && open.proposal.by().equals(instanceId) && !now.isBefore(open.proposal.decideAt())) {
            decide(open.proposal); // the timer's backstop, on the clock the checks keep
            return;
        }
        if (open != null || Duration.between(verdict.since(), now).compareTo(downFor) < 0) {
            return;
        }
        Instant lastSettled = lastSettledAt(current);
        if (lastSettled != null && !verdict.since().isAfter(lastSettled)) {
            return; // vetoed or cancelled during this very outage
        }
        if (proposedAt != null && Duration.between(proposedAt, now).compareTo(READ_BACK) < 0) {
            return; // ours is on its way back
        }
        TreeMap<Integer, Round> known = rounds.get(current);
        int round = known == null || known.isEmpty() ? 1 : known.lastKey() + 1;
        proposedAt = now;
        publish(new AutoFailoverEvent(Kind.PROPOSED, current, round, verdict.cluster(), config.to(), instanceId, now,
                verdict.since(), now.plus(vetoWindow), null, UUID.randomUUID().toString()));
    }

    /** A step as the standby cluster's topic holds it; steps read from other clusters are not counted. */
    public void event(String cluster, AutoFailoverEvent event) {
        if (!cluster.equals(config.to())) {
            return;
        }
        Round settledHere = record(event);
        CompletableFuture<Round> waiting = readBack.remove(event.id());
        if (waiting != null) {
            waiting.complete(settledHere);
        }
    }

    private synchronized Round record(AutoFailoverEvent event) {
        if (event.epoch() < epoch.getAsLong()) {
            return null;
        }
        rounds.headMap(epoch.getAsLong()).clear();
        Round round = rounds.computeIfAbsent(event.epoch(), e -> new TreeMap<>()).computeIfAbsent(event.round(), r -> new Round());
        boolean proposedHere = round.proposal != null && round.proposal.by().equals(instanceId);
        switch (event.kind()) {
            case PROPOSED -> {
                if (round.proposal == null) {
                    round.proposal = event;
                    if (event.by().equals(instanceId)) {
                        proposedAt = null;
                        armed(event);
                    }
                }
            }
            case VETOED, CANCELLED -> {
                if (round.proposal != null && round.settled == null) {
                    round.settled = event;
                    if (proposedHere) {
                        stopped(round.proposal, event);
                    }
                }
            }
            case DECIDED -> {
                if (round.proposal != null && round.settled == null && event.by().equals(round.proposal.by())) {
                    round.settled = event;
                    if (proposedHere) {
                        timer.execute(() -> fail(round.proposal, event));
                    }
                }
            }
        }
        return round;
    }

    private void armed(AutoFailoverEvent proposal) {
        LOG.warn("Automatic failover armed: from={} to={} at epoch={} round={} unless vetoed by {}", proposal.from(),
                proposal.to(), proposal.epoch(), proposal.round(), proposal.decideAt());
        alerts.fire(new Alert("auto-failover.armed", Alert.Severity.CRITICAL, proposal.from(), "automatic failover from "
                + proposal.from() + " to " + proposal.to() + " starts at " + proposal.decideAt() + " unless vetoed"
                + " (POST /api/v1/failover/veto, switchboard failover veto)", lastVerdict == null ? List.of() : lastVerdict.evidence(),
                clock.instant(), instanceId));
        scheduleDecision(proposal);
    }

    private void scheduleDecision(AutoFailoverEvent proposal) {
        // Rounded up: the timer's clock and the wall clock differ by a little, and a decision must never come early.
        long delay = Math.max(0, Duration.between(clock.instant(), proposal.decideAt()).toMillis() + 1);
        timer.schedule(() -> decide(proposal), delay, TimeUnit.MILLISECONDS);
    }

    private void stopped(AutoFailoverEvent proposal, AutoFailoverEvent how) {
        String type = how.kind() == Kind.VETOED ? "auto-failover.vetoed" : "auto-failover.cancelled";
        alerts.fire(new Alert(type, Alert.Severity.WARNING, proposal.from(), "automatic failover from " + proposal.from() + " to "
                + proposal.to() + " " + (how.kind() == Kind.VETOED ? "vetoed by " + how.by() : "cancelled") + ": " + how.reason(),
                List.of(), clock.instant(), instanceId));
    }

    /** The veto window closed: decide, unless the round was settled or the switch state moved meanwhile. */
    private synchronized void decide(AutoFailoverEvent proposal) {
        Round round = rounds.getOrDefault(proposal.epoch(), new TreeMap<>()).get(proposal.round());
        if (round == null || round.settled != null || settledHere.contains(proposal.id())) {
            return;
        }
        if (clock.instant().isBefore(proposal.decideAt())) {
            scheduleDecision(proposal);
            return;
        }
        settledHere.add(proposal.id());
        if (epoch.getAsLong() != proposal.epoch()) {
            publish(step(Kind.CANCELLED, proposal, "the switch state moved to epoch " + epoch.getAsLong() + " meanwhile"));
        } else if (lastVerdict == null || lastVerdict.health() != Health.DOWN) {
            publish(step(Kind.CANCELLED, proposal, "cluster " + proposal.from() + " is no longer judged down"));
        } else {
            publish(step(Kind.DECIDED, proposal, null));
        }
    }

    private void fail(AutoFailoverEvent proposal, AutoFailoverEvent decision) {
        SwitchDecision how = new SwitchDecision("auto-failover on instance " + instanceId, decision.at(), proposal.detectedAt(),
                vetoWindow.toMillis());
        alerts.fire(new Alert("auto-failover.started", Alert.Severity.CRITICAL, proposal.from(), "automatic failover from "
                + proposal.from() + " to " + proposal.to() + " started: no veto within " + config.vetoWindow(), List.of(),
                clock.instant(), instanceId));
        try {
            ClusterSwitch.Outcome outcome = trigger.failover(proposal.to(), how);
            LOG.warn("Automatic failover to {}: {} ({})", proposal.to(), outcome.result(), outcome.message());
        } catch (RuntimeException e) {
            LOG.warn("Automatic failover to {} failed: {}", proposal.to(), e.toString());
            alerts.fire(new Alert("auto-failover.failed", Alert.Severity.CRITICAL, proposal.from(), "automatic failover to "
                    + proposal.to() + " failed: " + e.getMessage(), List.of(), clock.instant(), instanceId));
        }
    }

    /**
     * Vetoes the armed round, at any instance. Answers once the standby's topic has ordered the veto: vetoed, or too
     * late because the decision came first.
     *
     * @throws SwitchRefused with 409 when nothing is armed or it was decided first, 503 when the veto did not come back
     */
    public VetoOutcome veto(String actor) {
        AutoFailoverEvent veto;
        CompletableFuture<Round> back = new CompletableFuture<>();
        synchronized (this) {
            if (!config.enabled()) {
                throw new SwitchRefused(409, "automatic failover is off (detection.autoFailover.enabled); nothing to veto");
            }
            Round open = openRound(epoch.getAsLong(), clock.instant());
            if (open == null) {
                throw new SwitchRefused(409, "no automatic failover is armed; nothing to veto");
            }
            veto = new AutoFailoverEvent(Kind.VETOED, open.proposal.epoch(), open.proposal.round(), open.proposal.from(),
                    open.proposal.to(), actor, clock.instant(), null, null, "vetoed by " + actor, UUID.randomUUID().toString());
            readBack.put(veto.id(), back);
        }
        publish(veto);
        Round round;
        try {
            round = back.get(READ_BACK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SwitchRefused(500, "interrupted while vetoing");
        } catch (ExecutionException | TimeoutException e) {
            throw new SwitchRefused(503, "the veto was not read back from cluster " + config.to() + " within "
                    + READ_BACK.toSeconds() + " s; it was written, and stops the failover if it arrives before the decision");
        } finally {
            readBack.remove(veto.id());
        }
        if (round.settled.kind() == Kind.DECIDED) {
            throw new SwitchRefused(409, "too late: the automatic failover to " + round.proposal.to() + " was decided at "
                    + round.settled.at() + ", before the veto arrived");
        }
        String by = round.settled.id().equals(veto.id()) ? "" : " (already " + round.settled.kind().name().toLowerCase(Locale.ROOT)
                + " by " + round.settled.by() + ")";
        return new VetoOutcome("vetoed", "automatic failover from " + round.proposal.from() + " to " + round.proposal.to()
                + " will not happen in this outage" + by, round.proposal);
    }

    /** Where the automatic failover stands for the current epoch. */
    public synchronized AutoFailoverState state() {
        if (!config.enabled()) {
            return new AutoFailoverState.Off();
        }
        TreeMap<Integer, Round> current = rounds.get(epoch.getAsLong());
        Round latest = current == null ? null : current.values().stream().filter(r -> r.proposal != null)
                .reduce((a, b) -> b).orElse(null);
        if (latest == null) {
            return new AutoFailoverState.Watching();
        }
        if (latest.settled == null) {
            return abandoned(latest, clock.instant()) ? new AutoFailoverState.Watching()
                    : new AutoFailoverState.Armed(latest.proposal, latest.proposal.by().equals(instanceId));
        }
        return switch (latest.settled.kind()) {
            case VETOED -> new AutoFailoverState.Vetoed(latest.proposal, latest.settled);
            case CANCELLED -> new AutoFailoverState.Cancelled(latest.proposal, latest.settled);
            default -> new AutoFailoverState.Decided(latest.proposal, latest.settled);
        };
    }

    private Round openRound(long current, Instant now) {
        TreeMap<Integer, Round> known = rounds.get(current);
        if (known == null) {
            return null;
        }
        return known.values().stream().filter(r -> r.proposal != null && r.settled == null && !abandoned(r, now))
                .findFirst().orElse(null);
    }

    private Instant lastSettledAt(long current) {
        TreeMap<Integer, Round> known = rounds.get(current);
        if (known == null) {
            return null;
        }
        return known.values().stream().filter(r -> r.settled != null && r.settled.kind() != Kind.DECIDED)
                .map(r -> r.settled.at()).max(Instant::compareTo).orElse(null);
    }

    private static boolean abandoned(Round round, Instant now) {
        return now.isAfter(round.proposal.decideAt().plusSeconds(ABANDONED_AFTER_SECONDS));
    }

    private AutoFailoverEvent step(Kind kind, AutoFailoverEvent proposal, String reason) {
        return new AutoFailoverEvent(kind, proposal.epoch(), proposal.round(), proposal.from(), proposal.to(), instanceId,
                clock.instant(), proposal.detectedAt(), proposal.decideAt(), reason, UUID.randomUUID().toString());
    }

    private void publish(AutoFailoverEvent event) {
        LOG.info("Automatic failover step kind={} epoch={} round={} by={}", event.kind(), event.epoch(), event.round(), event.by());
        steps.publish(event.key(), event);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
