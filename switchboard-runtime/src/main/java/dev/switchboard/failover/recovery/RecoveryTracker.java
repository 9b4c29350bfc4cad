package dev.switchboard.failover.recovery;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.switchboard.config.ApplicationPattern;

/**
 * Per-application recovery after a cluster switch: whether each application really produces and consumes
 * again, and the recovery time (RTO) of the Wave 1 applications.
 *
 * <p>Every client connection resolves its {@link ApplicationActivity} once, with {@link #application}, and
 * reports to it from then on. The switch procedure calls {@link #switchStarted}, {@link #connectionsClosed}
 * and {@link #switchCompleted}; {@link #lastSwitch} reports on the last switch. Thread-safe: the switch
 * procedure and new applications take a lock, the data path never does.
 */
public final class RecoveryTracker {

    private final List<ApplicationPattern> wave1Patterns;
    private final Clock clock;
    private final ConcurrentMap<ApplicationKey, ApplicationActivity> applications = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private TrackedSwitch lastSwitch; // guarded by lock

    /**
     * @param wave1Patterns which applications must be back for the RTO; see {@link ApplicationPattern}
     * @throws IllegalArgumentException naming the first pattern that is not valid
     */
    public RecoveryTracker(List<String> wave1Patterns, Clock clock) {
        this.wave1Patterns = wave1Patterns.stream().map(ApplicationPattern::parse).toList();
        this.clock = clock;
    }

    public List<ApplicationPattern> wave1Patterns() {
        return wave1Patterns;
    }

    /** The one handle of the application with this client id and principal; the same one on every call. */
    public ApplicationActivity application(String clientId, String principal) {
        ApplicationKey key = new ApplicationKey(clientId, principal);
        ApplicationActivity known = applications.get(key);
        if (known != null) {
            return known;
        }
        synchronized (lock) {
            // Under the lock, so a new application joins the switch in progress in the phase it is in.
            return applications.computeIfAbsent(key, this::newApplication);
        }
    }

    /** A switch asked for now; its report replaces the previous one. */
    public void switchStarted(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy) {
        switchStarted(epoch, fromCluster, toCluster, planned, requestedBy, clock.instant());
    }

    /**
     * A switch asked for at {@code requestedAt}, where its recovery time starts: for a planned switch, before its
     * produce hold, which applications feel as much as the switch itself.
     */
    public void switchStarted(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy,
                              Instant requestedAt) {
        synchronized (lock) {
            lastSwitch = new TrackedSwitch(epoch, fromCluster, toCluster, planned, requestedBy, clock, requestedAt,
                    List.copyOf(applications.values()));
        }
    }

    /** Records how the switch being tracked was decided; its report shows it. */
    public void decided(SwitchDecision decision) {
        synchronized (lock) {
            requireSwitch("decided").decided(decision);
        }
    }

    /** The gateway closed {@code count} client connections now, so that clients reconnect to the new cluster. */
    public void connectionsClosed(int count) {
        synchronized (lock) {
            requireSwitch("connectionsClosed").connectionsClosed(count);
        }
    }

    /** The new cluster serves clients from now on (for a planned switch: catch-up is done). */
    public void switchCompleted() {
        synchronized (lock) {
            requireSwitch("switchCompleted").completed();
        }
    }

    /** The report on the last switch, as of now; empty before the first switch. */
    public Optional<RecoveryReport> lastSwitch() {
        synchronized (lock) {
            return Optional.ofNullable(lastSwitch).map(TrackedSwitch::report);
        }
    }

    private ApplicationActivity newApplication(ApplicationKey key) {
        boolean wave1 = wave1Patterns.stream().anyMatch(pattern -> pattern.matches(key.clientId(), key.principal()));
        ApplicationActivity application = new ApplicationActivity(key, wave1);
        if (lastSwitch != null) {
            lastSwitch.join(application);
        }
        return application;
    }

    private TrackedSwitch requireSwitch(String step) {
        if (lastSwitch == null) {
            throw new IllegalStateException(step + " before any switchStarted");
        }
        return lastSwitch;
    }
}
