package dev.switchboard.failover.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch whose recovery is being watched, and each application's progress through it.
 *
 * <pre>
 *   started ──connectionsClosed()──▶ reconnects count
 *      └─────switchCompleted()─────▶ produces, fetches and commits count
 * </pre>
 *
 * The two steps come in either order (a planned switch closes connections before catch-up, a failover may
 * activate the new cluster first) and each happens once. Applications known at the start are running (they must
 * come back) or not running; those seen after it are new. Its lifecycle methods run under the
 * {@link RecoveryTracker}'s lock; the data path reaches it only through {@link RecoveryProgress}.
 */
final class TrackedSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(TrackedSwitch.class);

    private final long epoch;
    private final String fromCluster;
    private final String toCluster;
    private final boolean planned;
    private final String requestedBy;
    private final Instant requestedAt;
    private final Clock clock;
    private final RtoScope rtoScope;
    /** Running applications first (by name), then the others known at the start, then new ones as they come. */
    private final Map<ApplicationKey, RecoveryProgress> applications = new LinkedHashMap<>();
    /** Applications in the RTO's scope that are not back yet; the RTO is known when it reaches zero. */
    private final AtomicInteger notBackInScope;
    /** The latest of their recovery times so far: the RTO once the count above is zero. */
    private final AtomicLong slowestInScopeMillis = new AtomicLong();

    private Instant connectionsClosedAt;
    private int connectionsClosed;
    private Instant completedAt;
    private SwitchDecision decision;

    /**
     * @param activeSince an application without an open connection is running if its last one closed at or after
     *                    this
     */
    TrackedSwitch(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy, Clock clock,
                  Instant requestedAt, List<ApplicationActivity> knownApplications, Instant activeSince) {
        this.epoch = epoch;
        this.fromCluster = fromCluster;
        this.toCluster = toCluster;
        this.planned = planned;
        this.requestedBy = requestedBy;
        this.clock = clock;
        this.requestedAt = requestedAt;
        List<ApplicationActivity> running = new ArrayList<>();
        List<ApplicationActivity> notRunning = new ArrayList<>();
        long activeSinceMillis = activeSince.toEpochMilli();
        for (ApplicationActivity application : knownApplications) {
            boolean active = application.openConnections() > 0 || application.lastClosedMillis() >= activeSinceMillis;
            (active ? running : notRunning).add(application);
        }
        Comparator<ApplicationActivity> byName = Comparator.comparing(app -> app.key().displayName());
        running.sort(byName);
        notRunning.sort(byName);
        long wave1 = running.stream().filter(ApplicationActivity::wave1).count();
        this.rtoScope = wave1 > 0 ? RtoScope.WAVE1 : running.isEmpty() ? RtoScope.NONE : RtoScope.ALL_APPLICATIONS;
        this.notBackInScope = new AtomicInteger((int) (wave1 > 0 ? wave1 : running.size()));
        running.forEach(application -> track(application, AtSwitch.RUNNING, application.roles()));
        notRunning.forEach(application -> track(application, AtSwitch.NOT_RUNNING, application.roles()));
        LOG.info("Recovery tracking started epoch={} from={} to={} planned={} requestedBy={} running={} notRunning={} rtoScope={}",
                epoch, fromCluster, toCluster, planned, requestedBy, running.size(), notRunning.size(), rtoScope);
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * An application the tracker has just started tracking, after the switch started: new, listed but not waited
     * for; or one it had forgotten, which takes up its progress again.
     */
    void join(ApplicationActivity application) {
        RecoveryProgress known = applications.get(application.key());
        if (known != null) {
            known.followedBy(application);
            return;
        }
        RecoveryProgress progress = track(application, AtSwitch.NEW, null);
        if (connectionsClosedAt != null) {
            progress.arm(RecoveryProgress.Signal.RECONNECT);
        }
        if (completedAt != null) {
            armRoles(progress);
        }
    }

    /**
     * The tracker forgot {@code application}. A running one stays (the switch waits for it, and its progress is
     * bounded by the applications known at the start); the others go, so that fresh client ids cannot grow the report.
     */
    void forget(ApplicationKey application) {
        RecoveryProgress progress = applications.get(application);
        if (progress != null && progress.atSwitch() != AtSwitch.RUNNING) {
            applications.remove(application);
        }
    }

    void decided(SwitchDecision how) {
        decision = how;
    }

    void connectionsClosed(int count) {
        if (connectionsClosedAt != null) {
            LOG.debug("Connections closed again for epoch={}; keeping the first time", epoch);
            return;
        }
        connectionsClosedAt = clock.instant();
        connectionsClosed = count;
        applications.values().forEach(progress -> progress.arm(RecoveryProgress.Signal.RECONNECT));
        LOG.info("Recovery tracking epoch={} connectionsClosed={}", epoch, count);
    }

    void completed() {
        if (completedAt != null) {
            LOG.debug("Switch epoch={} completed again; keeping the first time", epoch);
            return;
        }
        completedAt = clock.instant();
        // Only now: before it, a planned switch's catch-up may still be served by the old cluster.
        applications.values().forEach(TrackedSwitch::armRoles);
        LOG.info("Recovery tracking epoch={} completed to={}", epoch, toCluster);
    }

    /** Called once per application known at the start, from the data path, when it is back. */
    void applicationBack(RecoveryProgress progress, Instant backAt) {
        ApplicationKey key = progress.key();
        long afterMillis = Duration.between(requestedAt, backAt).toMillis();
        LOG.info("Application back epoch={} clientId={} principal={} wave1={} atSwitch={} recoveredAfterMillis={}", epoch,
                key.clientId(), key.principal(), progress.wave1(), progress.atSwitch(), afterMillis);
        boolean inScope = progress.atSwitch() == AtSwitch.RUNNING && (rtoScope != RtoScope.WAVE1 || progress.wave1());
        if (!inScope) {
            return;
        }
        // Accumulated before counting down, so whoever counts to zero sees every other in-scope time.
        slowestInScopeMillis.accumulateAndGet(afterMillis, Math::max);
        if (notBackInScope.decrementAndGet() == 0) {
            LOG.info("Recovery complete epoch={} rtoScope={} rtoMillis={}", epoch, rtoScope,
                    slowestInScopeMillis.get());
        }
    }

    RecoveryReport report() {
        List<ApplicationRecovery> recoveries = new ArrayList<>();
        applications.values().forEach(progress -> recoveries.add(progress.recovery(requestedAt)));
        return RecoveryReport.of(epoch, fromCluster, toCluster, planned, requestedBy, requestedAt, connectionsClosedAt,
                connectionsClosed, completedAt, recoveries, decision);
    }

    private RecoveryProgress track(ApplicationActivity application, AtSwitch atSwitch, Set<Role> rolesAtStart) {
        RecoveryProgress progress = new RecoveryProgress(this, application, atSwitch, rolesAtStart);
        applications.put(application.key(), progress);
        application.follow(progress);
        return progress;
    }

    private static void armRoles(RecoveryProgress progress) {
        progress.arm(RecoveryProgress.Signal.PRODUCE);
        progress.arm(RecoveryProgress.Signal.FETCH);
        progress.arm(RecoveryProgress.Signal.COMMIT);
    }

    /** The cluster the switch went to: only its answers show an application back. */
    String toCluster() {
        return toCluster;
    }
}
