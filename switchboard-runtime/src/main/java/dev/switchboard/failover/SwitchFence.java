package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a switch leaves behind on every connection until clients have caught up with it: the fence that keeps group
 * consumers from fetching with positions of the previous cluster ({@link FetchFence}). Producer ids from the previous
 * cluster need no fence: they are virtual ({@code dev.switchboard.producerids}).
 *
 * <p>Why the fence: MirrorMaker 2 does not keep offsets, so a consumer that fetched from the new cluster at its
 * in-memory position would read the wrong records or reset. A group member loses its partitions, and with them
 * its positions, when the new cluster's coordinator does not know it; it then rejoins and reads the offsets
 * MirrorMaker 2 committed there. Until it rejoins, its fetches get an empty answer. A consumer the gateway never
 * saw join a group (one using assign()) is not fenced. So that a fence cannot outlast a consumer whose rejoin this
 * instance does not see, it lifts after {@link #MAX_FENCE}.
 *
 * <p>Bounded: at most {@link #MAX_CLIENTS} consumers are remembered; past that the least recently seen joining are
 * forgotten, counted ({@code switchboard.failover.fence.clients.dropped}). One forgotten and then switched away from
 * is not fenced, and reads from its in-memory positions as a consumer using assign() would.
 */
public final class SwitchFence {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchFence.class);

    /** Longer than a consumer takes to learn at its next heartbeat that its membership is gone, and rejoin. */
    static final Duration MAX_FENCE = Duration.ofSeconds(60);
    static final int MAX_CLIENTS = 100_000;

    /** A client as the fence knows it: its client id and the host it connects from. */
    record ClientKey(String clientId, String host) {
    }

    private final Clock clock;
    /** The epoch at which each consumer last joined its group afresh. */
    private final LastSeen<ClientKey, Long> joinedAtEpoch;
    private volatile long epoch;
    private volatile long fenceEpoch = -1;
    /** Epoch millis; the data path compares them on every Fetch, so no Instant is made there. */
    private volatile long fenceUntilMillis;

    public SwitchFence(Clock clock, MeterRegistry registry) {
        this(clock, registry, MAX_CLIENTS);
    }

    SwitchFence(Clock clock, MeterRegistry registry, int maxClients) {
        this.clock = clock;
        this.joinedAtEpoch = new LastSeen<>(clock, maxClients, Counter.builder("switchboard.failover.fence.clients.dropped")
                .description("Group consumers forgotten by the fetch fence because " + maxClients + " were remembered")
                .register(registry));
    }

    /** The active cluster changed at {@code newEpoch}: every group member known so far must rejoin before fetching. */
    public void switched(long newEpoch) {
        epoch = newEpoch;
        fenceEpoch = newEpoch;
        fenceUntilMillis = clock.millis() + MAX_FENCE.toMillis();
        LOG.info("Fencing {} known group consumers until they rejoin on the new cluster (epoch {})", joinedAtEpoch.size(), newEpoch);
    }

    /** A switch state without a change of cluster, such as a hold or its end, still moves the epoch. */
    public void epoch(long newEpoch) {
        epoch = Math.max(epoch, newEpoch);
    }

    /** Whether any fetch may be fenced now: a switch happened less than {@link #MAX_FENCE} ago. */
    boolean fencing() {
        return fenceEpoch >= 0 && clock.millis() <= fenceUntilMillis;
    }

    /**
     * Whether this client's fetches must not reach the cluster yet: it was a group member before the last switch
     * and has not rejoined since, so its in-memory positions are offsets of the previous cluster.
     */
    boolean fencesFetch(ClientKey client) {
        if (!fencing()) {
            return false;
        }
        Long joined = joinedAtEpoch.get(client);
        return joined != null && joined < fenceEpoch;
    }

    /**
     * The client sent a JoinGroup or a ConsumerGroupHeartbeat. {@code rejoin} when it joins afresh (JoinGroup, or
     * member epoch 0), which means it dropped its positions and will read committed offsets.
     */
    void groupJoined(ClientKey client, boolean rejoin) {
        if (rejoin) {
            Long previous = joinedAtEpoch.put(client, epoch);
            if (previous != null && previous < fenceEpoch) {
                LOG.info("clientId={} host={} rejoined its group after the switch; its fetches go through", client.clientId(), client.host());
            }
        } else {
            joinedAtEpoch.putIfAbsent(client, epoch);
        }
    }
}
