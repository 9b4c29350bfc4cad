package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.datapath.ApplicationProgress;
import dev.switchboard.datapath.SwitchGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of a switch on every connection: the produce hold of a planned switchover, the fence that
 * keeps group consumers from fetching with positions of the previous cluster, and pinned topics.
 *
 * <p>Why the fence: MirrorMaker 2 does not keep offsets, so a consumer that fetched from the new cluster at its
 * in-memory position would read the wrong records or reset. A group member loses its partitions, and with them
 * its positions, when the new cluster's coordinator does not know it; it then rejoins and reads the offsets
 * MirrorMaker 2 committed there. Until it rejoins, its fetches get an empty answer. A consumer the gateway never
 * saw join a group (one using assign()) is not fenced. So a fence cannot outlast a consumer whose rejoin this
 * instance does not see, it lifts after {@link #MAX_FENCE}.
 */
public final class SwitchFence implements SwitchGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SwitchFence.class);

    /** Longer than a consumer takes to learn at its next heartbeat that its membership is gone, and rejoin. */
    static final Duration MAX_FENCE = Duration.ofSeconds(60);

    private final Clock clock;
    private final Map<String, String> pinnedTopics;
    private final Map<ClientKey, Long> joinedAtEpoch = new ConcurrentHashMap<>();
    /** Per producer id seen since the switch: the highest epoch that predates it and must be bumped. */
    private final Map<Long, Short> staleEpochs = new ConcurrentHashMap<>();
    /** Producer ids the active cluster issued since the switch, with their epochs. */
    private final Map<Long, Short> issuedSinceSwitch = new ConcurrentHashMap<>();
    private volatile Applications applications = (clientId, principal) -> ApplicationProgress.NONE;
    private volatile long epoch;
    private volatile long fenceEpoch = -1;
    /** Epoch millis; the data path compares them on every Produce and Fetch, so no Instant is made there. */
    private volatile long fenceUntilMillis;
    private volatile long holdUntilMillis;

    /** Where application progress handles come from; the recovery tracker. */
    @FunctionalInterface
    public interface Applications {
        ApplicationProgress application(String clientId, String principal);
    }

    public SwitchFence(Map<String, String> pinnedTopics, Clock clock) {
        this.pinnedTopics = Map.copyOf(pinnedTopics);
        this.clock = clock;
    }

    public void applications(Applications applications) {
        this.applications = applications;
    }

    /** Produce requests wait from now until {@code until}, or until {@link #releaseHold()}. */
    public void hold(Instant until) {
        holdUntilMillis = until.toEpochMilli();
    }

    public void releaseHold() {
        holdUntilMillis = 0;
    }

    /** The active cluster changed at {@code newEpoch}: every group member known so far must rejoin before fetching. */
    public void switched(long newEpoch) {
        epoch = newEpoch;
        fenceEpoch = newEpoch;
        fenceUntilMillis = clock.millis() + MAX_FENCE.toMillis();
        staleEpochs.clear();
        issuedSinceSwitch.clear();
        releaseHold();
        LOG.info("Fencing {} known group consumers until they rejoin on the new cluster (epoch {})", joinedAtEpoch.size(), newEpoch);
    }

    /** A switch state without a change of cluster, such as a hold or its end, still moves the epoch. */
    public void epoch(long newEpoch) {
        epoch = Math.max(epoch, newEpoch);
    }

    @Override
    public boolean holdsProduce() {
        long until = holdUntilMillis;
        return until != 0 && clock.millis() < until;
    }

    /** After {@link #MAX_FENCE} the fence is lifted for everyone, rejoin seen here or not. */
    @Override
    public boolean fencesFetch(ClientKey client) {
        if (fenceEpoch < 0 || clock.millis() > fenceUntilMillis) {
            return false;
        }
        Long joined = joinedAtEpoch.get(client);
        return joined != null && joined < fenceEpoch;
    }

    @Override
    public void groupJoined(ClientKey client, boolean rejoin) {
        if (rejoin) {
            Long previous = joinedAtEpoch.put(client, epoch);
            if (previous != null && previous < fenceEpoch) {
                LOG.info("clientId={} host={} rejoined its group after the switch; its fetches go through", client.clientId(), client.host());
            }
        } else {
            joinedAtEpoch.putIfAbsent(client, epoch);
        }
    }

    @Override
    public boolean resequencesProducers() {
        return fenceEpoch >= 0;
    }

    /**
     * The first epoch seen from a producer id after the switch is stale, unless the new cluster issued that id
     * here: a producer whose id came through another instance is asked to bump once more, which costs it a retry.
     */
    @Override
    public boolean resequences(long producerId, short epoch) {
        Short issued = issuedSinceSwitch.get(producerId);
        if (issued != null && epoch >= issued) {
            return false;
        }
        return epoch <= staleEpochs.computeIfAbsent(producerId, id -> epoch);
    }

    @Override
    public void producerIdIssued(long producerId, short epoch) {
        if (fenceEpoch >= 0) {
            issuedSinceSwitch.put(producerId, epoch);
        }
    }

    @Override
    public boolean pinsTopics() {
        return !pinnedTopics.isEmpty();
    }

    @Override
    public String pinnedElsewhere(String topic, String activeCluster) {
        String pinnedTo = pinnedTopics.get(topic);
        return pinnedTo == null || pinnedTo.equals(activeCluster) ? null : pinnedTo;
    }

    @Override
    public ApplicationProgress application(String clientId, String principal) {
        return applications.application(clientId, principal);
    }
}
