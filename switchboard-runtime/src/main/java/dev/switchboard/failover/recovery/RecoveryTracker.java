package dev.switchboard.failover.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.switchboard.config.ApplicationPattern;
import dev.switchboard.config.RecoveryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Per-application recovery after a cluster switch: whether each application that was running really does again
 * everything it did before, and the recovery time (RTO) of the Wave 1 applications.
 *
 * <p>Every client connection opens its {@link ApplicationActivity} once its first request is answered, with
 * {@link #opened}, reports to it from then on, and closes it when the connection closes. The switch procedure calls
 * {@link #switchStarted}, {@link #connectionsClosed} and {@link #switchCompleted}; {@link #lastSwitch} reports on
 * the last switch. Thread-safe: the switch procedure and new applications take a lock, the data path never does.
 *
 * <p>Bounded: an application without an open connection is forgotten {@code forgetAfter} after its last one closed,
 * and at most {@code maxApplications} are kept, the longest idle forgotten first to make room. Each forgotten or
 * untracked application counts in {@code switchboard_recovery_applications_dropped_total}.
 */
public final class RecoveryTracker {

    private final List<ApplicationPattern> wave1Patterns;
    private final Clock clock;
    private final Duration activeWindow;
    private final Duration forgetAfter;
    private final int maxApplications;
    private final Counter forgottenIdle;
    private final Counter forgottenForRoom;
    private final Counter untracked;
    private final ConcurrentMap<ApplicationKey, ApplicationActivity> applications = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private TrackedSwitch lastSwitch; // guarded by lock
    private Instant lastSweep; // guarded by lock

    /**
     * @param wave1Patterns which applications must be back for the RTO; see {@link ApplicationPattern}
     * @throws IllegalArgumentException naming the first pattern that is not valid
     */
    public RecoveryTracker(List<String> wave1Patterns, RecoveryConfig limits, Clock clock, MeterRegistry registry) {
        this.wave1Patterns = wave1Patterns.stream().map(ApplicationPattern::parse).toList();
        this.clock = clock;
        this.activeWindow = limits.activeWindowDuration();
        this.forgetAfter = limits.forgetAfterDuration();
        this.maxApplications = limits.maxApplications();
        this.lastSweep = clock.instant();
        this.forgottenIdle = dropped(registry, "idle", "forgotten after forgetAfter without a connection");
        this.forgottenForRoom = dropped(registry, "capacity", "forgotten early, to make room under maxApplications");
        this.untracked = dropped(registry, "untracked", "never tracked: maxApplications had a connection open");
        Gauge.builder("switchboard.recovery.applications", applications, ConcurrentMap::size)
                .description("Applications the recovery report tracks").register(registry);
    }

    /** With the default limits, and metrics nobody reads: for tests of the tracker's logic. */
    public RecoveryTracker(List<String> wave1Patterns, Clock clock) {
        this(wave1Patterns, RecoveryConfig.DEFAULT, clock, new SimpleMeterRegistry());
    }

    private static Counter dropped(MeterRegistry registry, String reason, String what) {
        return Counter.builder("switchboard.recovery.applications.dropped").tag("reason", reason)
                .description("Applications the recovery report stopped tracking or never tracked, to stay bounded: " + what)
                .register(registry);
    }

    public List<ApplicationPattern> wave1Patterns() {
        return wave1Patterns;
    }

    /**
     * A connection of the application with this client id and principal had its first request answered: counts the
     * connection open and returns the application's one handle, the same on every call while it is tracked. Call
     * {@link ApplicationActivity#closed()} once when the connection closes.
     */
    public ApplicationActivity opened(String clientId, String principal) {
        ApplicationKey key = new ApplicationKey(clientId, principal);
        ApplicationActivity known = applications.get(key);
        if (known != null && known.tryOpen()) {
            return known;
        }
        synchronized (lock) {
            // Under the lock, so a new application joins the switch in progress in the phase it is in.
            ApplicationActivity current = applications.get(key);
            if (current != null && current.tryOpen()) {
                return current;
            }
            Instant now = clock.instant();
            if (Duration.between(lastSweep, now).compareTo(sweepInterval()) >= 0) {
                forgetIdle(now);
            }
            ApplicationActivity application = new ApplicationActivity(key, wave1(key), clock::millis);
            application.tryOpen();
            if (applications.size() >= maxApplications && !makeRoom(now)) {
                // Every tracked application has a connection open: this one is seen but not remembered.
                untracked.increment();
                return application;
            }
            applications.put(key, application);
            if (lastSwitch != null) {
                lastSwitch.join(application);
            }
            return application;
        }
    }

    /** How many applications are tracked now. */
    public int size() {
        return applications.size();
    }

    /** A switch asked for now; its report replaces the previous one. */
    public void switchStarted(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy) {
        switchStarted(epoch, fromCluster, toCluster, planned, requestedBy, clock.instant());
    }

    /**
     * A switch asked for at {@code requestedAt}, where its recovery time starts: for a planned switch, before its
     * produce hold, which applications feel as much as the switch itself. Applications with a connection open now,
     * or whose last one closed within the active window before {@code requestedAt}, must come back.
     */
    public void switchStarted(long epoch, String fromCluster, String toCluster, boolean planned, String requestedBy,
                              Instant requestedAt) {
        synchronized (lock) {
            forgetIdle(clock.instant());
            lastSwitch = new TrackedSwitch(epoch, fromCluster, toCluster, planned, requestedBy, clock, requestedAt,
                    List.copyOf(applications.values()), requestedAt.minus(activeWindow));
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

    private boolean wave1(ApplicationKey key) {
        return wave1Patterns.stream().anyMatch(pattern -> pattern.matches(key.clientId(), key.principal()));
    }

    /** Often enough that an idle application goes about when it is due, rarely enough that the scan costs nothing. */
    private Duration sweepInterval() {
        return forgetAfter.dividedBy(4);
    }

    /** Forgets the applications idle for longer than {@code forgetAfter}. Under the lock. */
    private void forgetIdle(Instant now) {
        lastSweep = now;
        long idleBefore = now.minus(forgetAfter).toEpochMilli();
        for (ApplicationActivity application : applications.values()) {
            if (application.openConnections() == 0 && application.lastClosedMillis() < idleBefore && forget(application)) {
                forgottenIdle.increment();
            }
        }
    }

    /**
     * Makes room for one more: forgets the idle ones, then the longest idle tenth of those without a connection, so
     * that a stream of fresh client ids pays for the sort once every many applications. Under the lock. False when
     * every tracked application has a connection open.
     */
    private boolean makeRoom(Instant now) {
        forgetIdle(now);
        if (applications.size() < maxApplications) {
            return true;
        }
        List<ApplicationActivity> idle = new ArrayList<>();
        for (ApplicationActivity application : applications.values()) {
            if (application.openConnections() == 0) {
                idle.add(application);
            }
        }
        idle.sort(Comparator.comparingLong(ApplicationActivity::lastClosedMillis));
        int toForget = Math.max(1, maxApplications / 10);
        for (ApplicationActivity application : idle) {
            if (toForget == 0) {
                break;
            }
            if (forget(application)) {
                forgottenForRoom.increment();
                toForget--;
            }
        }
        return applications.size() < maxApplications;
    }

    private boolean forget(ApplicationActivity application) {
        if (!application.tryForget()) {
            return false; // a connection opened on it meanwhile
        }
        applications.remove(application.key(), application);
        if (lastSwitch != null) {
            lastSwitch.forget(application.key());
        }
        return true;
    }

    private TrackedSwitch requireSwitch(String step) {
        if (lastSwitch == null) {
            throw new IllegalStateException(step + " before any switchStarted");
        }
        return lastSwitch;
    }
}
