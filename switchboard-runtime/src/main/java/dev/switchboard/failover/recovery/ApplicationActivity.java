package dev.switchboard.failover.recovery;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What one application does, as the data path sees it: the handle a client connection resolves once its first
 * request is answered, and calls for every relevant response and when it closes.
 *
 * <p>Thread-safe and cheap: when nothing new happens, each method is a few volatile reads, with no lookup, no
 * allocation and no lock. Before a switch it learns the application's roles (one flag each, set once) and counts its
 * open connections; during a switch it records the first reconnect and the first success of each role the switch
 * waits for, and the failures before it.
 */
public final class ApplicationActivity {

    /** The value of {@link #openConnections} once the tracker forgot this application: it takes no connection more. */
    private static final int FORGOTTEN = -1;

    private final ApplicationKey key;
    private final boolean wave1;
    private final LongSupplier clockMillis;
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile long lastClosedMillis;
    private volatile boolean producer;
    private volatile boolean consumer;
    private volatile boolean transactional;
    /** This application's progress through the last switch; null before the first switch. */
    private volatile RecoveryProgress progress;

    ApplicationActivity(ApplicationKey key, boolean wave1, LongSupplier clockMillis) {
        this.key = key;
        this.wave1 = wave1;
        this.clockMillis = clockMillis;
        this.lastClosedMillis = clockMillis.getAsLong();
    }

    public ApplicationKey key() {
        return key;
    }

    /** Whether a Wave 1 pattern matches this application. */
    public boolean wave1() {
        return wave1;
    }

    /** A request was answered on a new connection of this application. */
    public void connected() {
        observed(RecoveryProgress.Signal.RECONNECT);
    }

    /** One connection of this application closed; each connection the tracker opened closes once. */
    public void closed() {
        lastClosedMillis = clockMillis.getAsLong();
        openConnections.decrementAndGet();
    }

    /** A produce response without errors reached the application. */
    public void produced() {
        if (!producer) {
            producer = true;
        }
        observed(RecoveryProgress.Signal.PRODUCE);
    }

    /** A fetch response without errors, naming at least one partition, reached the application. */
    public void fetched() {
        if (!consumer) {
            consumer = true;
        }
        observed(RecoveryProgress.Signal.FETCH);
    }

    /** A transaction commit succeeded. */
    public void committed() {
        if (!transactional) {
            transactional = true;
        }
        observed(RecoveryProgress.Signal.COMMIT);
    }

    /**
     * Whether answers served by {@code cluster} say anything of the current switch: a connection still draining to the
     * cluster it left is answered there, which is no return. With no switch in progress, every answer counts.
     */
    public boolean countsAnswersFrom(Optional<String> cluster) {
        RecoveryProgress current = progress;
        return current == null || cluster.map(current::countsAnswersFrom).orElse(false);
    }

    /** A response of {@code role} failed with {@code error} ({@code NOT_LEADER_OR_FOLLOWER}, say). */
    public void failed(Role role, String error) {
        RecoveryProgress current = progress;
        if (current != null) {
            current.failed(role, error);
        }
    }

    /**
     * Whether a produce response of this application is worth inspecting: its role is not learned yet, or the
     * current switch still waits for its first successful produce (and counts the failures before).
     */
    public boolean awaitingProduce() {
        return !producer || awaits(RecoveryProgress.Signal.PRODUCE);
    }

    /** As {@link #awaitingProduce()}, for fetch responses. */
    public boolean awaitingFetch() {
        return !consumer || awaits(RecoveryProgress.Signal.FETCH);
    }

    /** As {@link #awaitingProduce()}, for transaction commits. */
    public boolean awaitingCommit() {
        return !transactional || awaits(RecoveryProgress.Signal.COMMIT);
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
        if (transactional) {
            roles.add(Role.TRANSACTIONAL);
        }
        return Collections.unmodifiableSet(roles);
    }

    /** Connections open now. */
    int openConnections() {
        return Math.max(0, openConnections.get());
    }

    /** When its last connection closed (when it was first seen, before any closed); meaningful while none is open. */
    long lastClosedMillis() {
        return lastClosedMillis;
    }

    /** Counts a new connection, unless the tracker has forgotten this application. */
    boolean tryOpen() {
        int count;
        do {
            count = openConnections.get();
            if (count == FORGOTTEN) {
                return false;
            }
        } while (!openConnections.compareAndSet(count, count + 1));
        return true;
    }

    /** Marks it forgotten if no connection is open, so that none can be counted on it any more. */
    boolean tryForget() {
        return openConnections.compareAndSet(0, FORGOTTEN);
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
