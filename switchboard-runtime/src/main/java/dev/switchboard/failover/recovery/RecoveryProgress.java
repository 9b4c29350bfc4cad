package dev.switchboard.failover.recovery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * One application's way back through one switch: which signals the switch still waits for, when each arrived, and
 * how often each role failed before it did.
 *
 * <p>A signal is <em>armed</em> when it starts to count: reconnecting once the gateway has closed connections, each
 * role's success once the new cluster is active. Checking for an armed signal is one volatile read; the first thread
 * to see an armed signal succeed disarms it with a compare-and-set and reads the clock, so each signal costs the data
 * path a clock read once per switch and nothing after. A failure while armed adds to the role's count.
 */
final class RecoveryProgress {

    /** What the switch waits to see from an application, as bits of {@link #armed}. */
    enum Signal {
        RECONNECT(1, null), PRODUCE(2, Role.PRODUCER), FETCH(4, Role.CONSUMER), COMMIT(8, Role.TRANSACTIONAL);

        final int bit;
        /** The role this signal shows is back; null for reconnecting. */
        final Role role;

        Signal(int bit, Role role) {
            this.bit = bit;
            this.role = role;
        }

        static Signal of(Role role) {
            return switch (role) {
                case PRODUCER -> PRODUCE;
                case CONSUMER -> FETCH;
                case TRANSACTIONAL -> COMMIT;
            };
        }
    }

    private static final AtomicIntegerFieldUpdater<RecoveryProgress> ARMED =
            AtomicIntegerFieldUpdater.newUpdater(RecoveryProgress.class, "armed");
    private static final AtomicReferenceFieldUpdater<RecoveryProgress, Instant> BACK_AT =
            AtomicReferenceFieldUpdater.newUpdater(RecoveryProgress.class, Instant.class, "backAt");

    private final TrackedSwitch trackedSwitch;
    private final ApplicationKey key;
    private final boolean wave1;
    private final AtSwitch atSwitch;
    /** What it did before the switch; null for an application first seen after it started. */
    private final Set<Role> rolesAtStart;
    private final Map<Role, RoleProgress> roles = new EnumMap<>(Role.class);
    /** The application this progress belongs to now: another handle if it was forgotten and came back. */
    private volatile ApplicationActivity application;

    private volatile int armed;
    private volatile Instant reconnectedAt;
    private volatile Instant backAt;

    RecoveryProgress(TrackedSwitch trackedSwitch, ApplicationActivity application, AtSwitch atSwitch,
                     Set<Role> rolesAtStart) {
        this.trackedSwitch = trackedSwitch;
        this.application = application;
        this.key = application.key();
        this.wave1 = application.wave1();
        this.atSwitch = atSwitch;
        this.rolesAtStart = rolesAtStart;
        for (Role role : Role.values()) {
            roles.put(role, new RoleProgress());
        }
    }

    ApplicationKey key() {
        return key;
    }

    boolean wave1() {
        return wave1;
    }

    AtSwitch atSwitch() {
        return atSwitch;
    }

    void followedBy(ApplicationActivity returned) {
        this.application = returned;
        returned.follow(this);
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
        if (signal == Signal.RECONNECT) {
            reconnectedAt = now;
        } else {
            roles.get(signal.role).backAt = now;
        }
        if (atSwitch != AtSwitch.NEW) {
            checkBack();
        }
    }

    /** Whether answers from {@code cluster} count: those of the switch's target, not of the cluster it left. */
    boolean countsAnswersFrom(String cluster) {
        return trackedSwitch.toCluster().equals(cluster);
    }

    /** A response of {@code role} failed with {@code error}: counted while the switch waits for the role's success. */
    void failed(Role role, String error) {
        if (awaits(Signal.of(role))) {
            RoleProgress progress = roles.get(role);
            progress.failures.increment();
            progress.lastError = error;
        }
    }

    ApplicationRecovery recovery(Instant switchRequestedAt) {
        Set<Role> must = atSwitch == AtSwitch.NEW ? application.roles() : rolesAtStart;
        List<RoleRecovery> recoveries = new ArrayList<>();
        for (Role role : must) {
            recoveries.add(roles.get(role).recovery(role));
        }
        return ApplicationRecovery.of(key, wave1, atSwitch, recoveries, reconnectedAt, switchRequestedAt);
    }

    private void checkBack() {
        List<RoleRecovery> needed = new ArrayList<>();
        for (Role role : rolesAtStart) {
            needed.add(roles.get(role).recovery(role));
        }
        Instant at = ApplicationRecovery.backAt(needed, reconnectedAt);
        // Two signals recorded at once on two threads may both find the application back; only one reports it.
        if (at != null && BACK_AT.compareAndSet(this, null, at)) {
            trackedSwitch.applicationBack(this, at);
        }
    }

    /** One role's first success and its failures before it. */
    private static final class RoleProgress {
        private volatile Instant backAt;
        private final LongAdder failures = new LongAdder();
        private volatile String lastError;

        RoleRecovery recovery(Role role) {
            return new RoleRecovery(role, backAt, failures.sum(), lastError);
        }
    }
}
