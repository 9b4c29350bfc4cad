package dev.switchboard.failover.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch whose recovery is being watched, and each application's progress through it.
 *
 * <pre>
 *   started ──connectionsClosed()──▶ reconnects count
 *      └─────switchCompleted()─────▶ produces and fetches count
 * </pre>
 *
 * The two steps come in either order (a planned switch closes connections before catch-up, a failover may
 * activate the new cluster first) and each happens once. Its lifecycle methods run under the
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
    private final List<RecoveryProgress> applications = new ArrayList<>();
    /** Applications in the RTO's scope that are not back yet; the RTO is known when it reaches zero. */
    private final AtomicInteger notBackInScope;
    /** The latest of their recovery times so far: the RTO once the count above is zero. */
    private final AtomicLong slowestInScopeMillis = new AtomicLong();

    private Instant connectionsClosedAt;
    private int connectionsClosed;
    private Instant completedAt;
    private SwitchDecision decision;

    TrackedSwitch(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy, Clock clock,
                  Instant requestedAt, List<ApplicationActivity> knownApplications) {
        this.epoch = epoch;
        this.fromCluster = fromCluster;
        this.toCluster = toCluster;
        this.planned = planned;
        this.requestedBy = requestedBy;
        this.clock = clock;
        this.requestedAt = requestedAt;
        List<ApplicationActivity> known = new ArrayList<>(knownApplications);
        known.sort(Comparator.comparing(app -> app.key().displayName()));
        long wave1 = known.stream().filter(ApplicationActivity::wave1).count();
        this.rtoScope = wave1 > 0 ? RtoScope.WAVE1 : known.isEmpty() ? RtoScope.NONE : RtoScope.ALL_APPLICATIONS;
        this.notBackInScope = new AtomicInteger((int) (wave1 > 0 ? wave1 : known.size()));
        for (ApplicationActivity application : known) {
            RecoveryProgress progress = new RecoveryProgress(this, application, application.roles());
            applications.add(progress);
            application.follow(progress);
        }
        LOG.info("Recovery tracking started epoch={} from={} to={} planned={} requestedBy={} applications={} rtoScope={}",
                epoch, fromCluster, toCluster, planned, requestedBy, known.size(), rtoScope);
    }

    Instant now() {
        return clock.instant();
    }

    /** An application first seen after the switch started: listed, but not waited for. */
    void join(ApplicationActivity application) {
        RecoveryProgress progress = new RecoveryProgress(this, application, null);
        if (connectionsClosedAt != null) {
            progress.arm(RecoveryProgress.Signal.RECONNECT);
        }
        if (completedAt != null) {
            progress.arm(RecoveryProgress.Signal.PRODUCE);
            progress.arm(RecoveryProgress.Signal.FETCH);
        }
        applications.add(progress);
        application.follow(progress);
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
        applications.forEach(progress -> progress.arm(RecoveryProgress.Signal.RECONNECT));
        LOG.info("Recovery tracking epoch={} connectionsClosed={}", epoch, count);
    }

    void completed() {
        if (completedAt != null) {
            LOG.debug("Switch epoch={} completed again; keeping the first time", epoch);
            return;
        }
        completedAt = clock.instant();
        // Only now: before it, a planned switch's catch-up may still be served by the old cluster.
        applications.forEach(progress -> {
            progress.arm(RecoveryProgress.Signal.PRODUCE);
            progress.arm(RecoveryProgress.Signal.FETCH);
        });
        LOG.info("Recovery tracking epoch={} completed to={}", epoch, toCluster);
    }

    /** Called once per application known at the start, from the data path, when it is back. */
    void applicationBack(RecoveryProgress progress, Instant backAt) {
        ApplicationActivity application = progress.application();
        long afterMillis = Duration.between(requestedAt, backAt).toMillis();
        LOG.info("Application back epoch={} clientId={} principal={} wave1={} recoveredAfterMillis={}", epoch,
                application.key().clientId(), application.key().principal(), application.wave1(), afterMillis);
        boolean inScope = rtoScope != RtoScope.WAVE1 || application.wave1();
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
        applications.forEach(progress -> recoveries.add(progress.recovery(requestedAt)));
        return RecoveryReport.of(epoch, fromCluster, toCluster, planned, requestedBy, requestedAt, connectionsClosedAt,
                connectionsClosed, completedAt, recoveries, decision);
    }
}
