package dev.switchboard.failover.recovery;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one application does, as the data path sees it: the handle a client connection resolves once, when
 * it learns its client id, and calls for every relevant response.
 *
 * <p>Thread-safe and cheap: when nothing new happens, each method is a few volatile reads, with no lookup, no
 * allocation and no lock. Before a switch it learns the application's roles (one flag each, set once); during a
 * switch it records the first reconnect, produce and fetch the switch waits for.
 */
public final class ApplicationActivity {

    private final ApplicationKey key;
    private final boolean wave1;
    private volatile boolean producer;
    private volatile boolean consumer;
    /** This application's progress through the last switch; null before the first switch. */
    private volatile RecoveryProgress progress;

    ApplicationActivity(ApplicationKey key, boolean wave1) {
        this.key = key;
        this.wave1 = wave1;
    }

    public ApplicationKey key() {
        return key;
    }

    /** Whether a Wave 1 pattern matches this application. */
    public boolean wave1() {
        return wave1;
    }

    /** A request arrived on a new connection of this application. */
    public void connected() {
        observed(RecoveryProgress.Signal.RECONNECT);
    }

    /** A produce response without errors reached the application. */
    public void produced() {
        if (!producer) {
            producer = true;
        }
        observed(RecoveryProgress.Signal.PRODUCE);
    }

    /** A fetch response without errors reached the application. */
    public void fetched() {
        if (!consumer) {
            consumer = true;
        }
        observed(RecoveryProgress.Signal.FETCH);
    }

    /**
     * Whether a produce response of this application is worth inspecting: its role is not learned yet, or the
     * current switch still waits for its first produce.
     */
    public boolean awaitingProduce() {
        return !producer || awaits(RecoveryProgress.Signal.PRODUCE);
    }

    /** As {@link #awaitingProduce()}, for fetch responses. */
    public boolean awaitingFetch() {
        return !consumer || awaits(RecoveryProgress.Signal.FETCH);
    }

    /** The roles learned so far. */
    public Set<Role> roles() {
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        if (producer) {
            roles.add(Role.PRODUCER);
        }
        if (consumer) {
            roles.add(Role.CONSUMER);
        }
        return ApplicationRecovery.roles(roles);
    }

    void follow(RecoveryProgress progress) {
        this.progress = progress;
    }

    private boolean awaits(RecoveryProgress.Signal signal) {
        RecoveryProgress current = progress;
        return current != null && current.awaits(signal);
    }

    private void observed(RecoveryProgress.Signal signal) {
        RecoveryProgress current = progress;
        if (current != null) {
            current.observed(signal);
        }
    }

    @Override
    public String toString() {
        return "ApplicationActivity[" + key.displayName() + "]";
    }
}
