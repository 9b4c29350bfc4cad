package dev.switchboard.failover.recovery;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One application's way back through one switch: which signals the switch still waits for, and when each
 * arrived.
 *
 * <p>A signal is <em>armed</em> when it starts to count: reconnecting once the gateway has closed
 * connections, producing and fetching once the new cluster is active. Checking for an armed signal is one
 * volatile read; the first thread to see an armed signal disarms it with a compare-and-set and reads the
 * clock, so each signal costs the data path a clock read once per switch and nothing after.
 */
final class RecoveryProgress {

    /** What the switch waits to see from an application, as bits of {@link #armed}. */
    enum Signal {
        RECONNECT(1), PRODUCE(2), FETCH(4);

        final int bit;

        Signal(int bit) {
            this.bit = bit;
        }
    }

    private static final AtomicIntegerFieldUpdater<RecoveryProgress> ARMED =
            AtomicIntegerFieldUpdater.newUpdater(RecoveryProgress.class, "armed");
    private static final AtomicReferenceFieldUpdater<RecoveryProgress, Instant> BACK_AT =
            AtomicReferenceFieldUpdater.newUpdater(RecoveryProgress.class, Instant.class, "backAt");

    private final TrackedSwitch trackedSwitch;
    private final ApplicationActivity application;
    /** What it did before the switch; null for an application first seen after it started. */
    private final Set<Role> rolesAtStart;

    private volatile int armed;
    private volatile Instant reconnectedAt;
    private volatile Instant firstProduceAt;
    private volatile Instant firstFetchAt;
    private volatile Instant backAt;

    RecoveryProgress(TrackedSwitch trackedSwitch, ApplicationActivity application, Set<Role> rolesAtStart) {
        this.trackedSwitch = trackedSwitch;
        this.application = application;
        this.rolesAtStart = rolesAtStart;
    }

    ApplicationActivity application() {
        return application;
    }

    boolean newSinceSwitch() {
        return rolesAtStart == null;
    }

    boolean awaits(Signal signal) {
        return (armed & signal.bit) != 0;
    }

    void arm(Signal signal) {
        ARMED.getAndUpdate(this, bits -> bits | signal.bit);
    }

    /** The application gave {@code signal}: record it if the switch waits for it, else do nothing. */
    void observed(Signal signal) {
        int bits;
        do {
            bits = armed;
            if ((bits & signal.bit) == 0) {
                return;
            }
        } while (!ARMED.compareAndSet(this, bits, bits & ~signal.bit));
        Instant now = trackedSwitch.now();
        switch (signal) {
            case RECONNECT:
                reconnectedAt = now;
                break;
            case PRODUCE:
                firstProduceAt = now;
                break;
            case FETCH:
                firstFetchAt = now;
                break;
            default:
                throw new IllegalStateException("unknown signal " + signal);
        }
        if (!newSinceSwitch()) {
            checkBack();
        }
    }

    ApplicationRecovery recovery(Instant switchRequestedAt) {
        Set<Role> roles = newSinceSwitch() ? application.roles() : rolesAtStart;
        return ApplicationRecovery.of(application.key(), application.wave1(), newSinceSwitch(), roles, reconnectedAt,
                firstProduceAt, firstFetchAt, switchRequestedAt);
    }

    private void checkBack() {
        Instant at = ApplicationRecovery.backAt(rolesAtStart, reconnectedAt, firstProduceAt, firstFetchAt);
        // Two signals recorded at once on two threads may both find the application back; only one reports it.
        if (at != null && BACK_AT.compareAndSet(this, null, at)) {
            trackedSwitch.applicationBack(this, at);
        }
    }
}
