package dev.switchboard.failover;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classic consumer groups rejoin the new cluster in one generation after a switch, not in a cascade of them.
 *
 * <p>Why: after a switch each member learns on its own that the new coordinator does not know it, and rejoins. The
 * group is empty there, so the first JoinGroup to arrive completes a generation of one (at once where {@code
 * group.initial.rebalance.delay.ms} is 0); each later arrival starts another rebalance, and the members already
 * stable learn of it only at their next heartbeat, seconds later. Members arriving over a second could take several
 * heartbeat intervals to settle, none of them consuming meanwhile.
 *
 * <p>So the gateway counts, per group, the members it saw heartbeat in the {@link #RECENT} before the switch, and after
 * it holds the group's JoinGroup requests that carry a member id of the new cluster (or a static member's instance
 * id) until as many have arrived, or {@link #WINDOW} has passed since the switch; then they all go on together. A
 * JoinGroup without a member id (answered MEMBER_ID_REQUIRED) or with an old cluster's member id (answered
 * UNKNOWN_MEMBER_ID) goes at once. Each gateway instance counts the members it sees; a member whose rejoin reaches
 * another instance keeps this one's group waiting to the window's end, no longer. KIP-848 consumers (ConsumerGroup
 * Heartbeat) have no generation to gather and are left alone.
 *
 * <p>Bounded: at most {@link #MAX_MEMBERS} members are remembered; past that, the least recently seen are forgotten,
 * counted ({@code switchboard.failover.group.members.dropped}).
 */
public final class RejoinGathering implements InterceptorFactory, Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(RejoinGathering.class);

    /** A member that heartbeat within this before the switch is expected to rejoin; classic consumers beat every 3 s. */
    static final Duration RECENT = Duration.ofSeconds(10);
    /** The longest a rejoin waits for the rest of its group: about one heartbeat interval, what a cascade step costs. */
    static final Duration WINDOW = Duration.ofSeconds(3);
    static final int MAX_MEMBERS = 100_000;

    private static final Interest GROUP_REQUESTS = Interest.requests(ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP,
            ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP);

    /** A member of a group on the cluster active when it was seen. */
    private record Member(String group, String memberId) {
    }

    /** One group's rejoins after a switch: whom it waits for, who has come, and the signal to let them go on. */
    private static final class Gathering {
        final String group;
        final int expected;
        final Set<String> oldMemberIds;
        final Set<String> arrived = new HashSet<>();
        final CompletableFuture<Void> released = new CompletableFuture<>();
        final long startedMillis;

        Gathering(String group, Set<String> oldMemberIds, long startedMillis) {
            this.group = group;
            this.startedMillis = startedMillis;
            this.expected = oldMemberIds.size();
            this.oldMemberIds = oldMemberIds;
        }
    }

    private final Clock clock;
    private final Duration window;
    /** Members seen, each with when: what is remembered of them is only that they were seen. */
    private final LastSeen<Member, Boolean> members;
    private final Map<String, Gathering> gatherings = new ConcurrentHashMap<>();
    private final Counter gatheredWhole;
    private final Counter gatheredAtDeadline;

    public RejoinGathering(Clock clock, MeterRegistry registry) {
        this(clock, registry, WINDOW, MAX_MEMBERS);
    }

    RejoinGathering(Clock clock, MeterRegistry registry, Duration window, int maxMembers) {
        this.clock = clock;
        this.window = window;
        this.members = new LastSeen<>(clock, maxMembers, Counter.builder("switchboard.failover.group.members.dropped")
                .description("Group members forgotten because " + maxMembers + " were remembered for rejoin gathering")
                .register(registry));
        this.gatheredWhole = gatheredCounter(registry, "whole");
        this.gatheredAtDeadline = gatheredCounter(registry, "deadline");
    }

    private static Counter gatheredCounter(MeterRegistry registry, String outcome) {
        return Counter.builder("switchboard.failover.rejoins.gathered")
                .description("Groups whose rejoins after a switch went on together: whole when every member expected came, "
                        + "deadline when the window ended first")
                .tag("outcome", outcome).register(registry);
    }

    @Override
    public String name() {
        return "rejoin-gathering";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return this;
    }

    @Override
    public Interest interest() {
        return GROUP_REQUESTS;
    }

    /**
     * The active cluster changed: after a planned switch every group with members seen recently gathers its rejoins,
     * for at most the window. After an unplanned one nothing is gathered: members lost the old cluster when it failed,
     * each at its own time, and come back over more than the window, so holding the first ones only delays them (the
     * failover benchmark's consumers were back 2 to 4 s later with it). What was known of members is of the old
     * cluster, so it is forgotten either way.
     */
    public void switched(boolean planned) {
        long recentSince = clock.millis() - RECENT.toMillis();
        Map<String, Set<String>> expected = new HashMap<>();
        if (planned) {
            members.forEachSeenSince(recentSince, (member, seen) ->
                    expected.computeIfAbsent(member.group(), group -> new HashSet<>()).add(member.memberId()));
        }
        members.clear();
        gatherings.values().forEach(stale -> stale.released.complete(null));
        gatherings.clear();
        expected.forEach((group, memberIds) -> {
            Gathering gathering = new Gathering(group, Set.copyOf(memberIds), clock.millis());
            gatherings.put(group, gathering);
            gathering.released.completeOnTimeout(null, window.toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(() -> ended(gathering));
        });
        if (!expected.isEmpty()) {
            LOG.info("Gathering the rejoins of {} groups ({} members) for at most {} ms", expected.size(),
                    expected.values().stream().mapToInt(Set::size).sum(), window.toMillis());
        }
    }

    private void ended(Gathering gathering) {
        gatherings.remove(gathering.group, gathering);
        int arrived;
        synchronized (gathering) {
            arrived = gathering.arrived.size();
        }
        long afterMillis = clock.millis() - gathering.startedMillis;
        if (arrived >= gathering.expected) {
            gatheredWhole.increment();
            LOG.info("group={}: all {} members rejoined through this instance {} ms after the switch; they go on together",
                    gathering.group, arrived, afterMillis);
        } else {
            gatheredAtDeadline.increment();
            LOG.info("group={}: {} of {} members rejoined through this instance within {} ms; they go on without the rest",
                    gathering.group, arrived, gathering.expected, afterMillis);
        }
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, ConnectionContext connection) {
        switch (request.apiKey()) {
            case JOIN_GROUP -> {
                JoinGroupRequestData join = (JoinGroupRequestData) request.message();
                Gathering gathering = gatherings.get(join.groupId());
                if (gathering != null && !gathering.released.isDone() && holds(gathering, join)) {
                    return RequestAction.askAgainWhen(gathering.released);
                }
                seen(join.groupId(), join.memberId());
            }
            case SYNC_GROUP -> {
                SyncGroupRequestData sync = (SyncGroupRequestData) request.message();
                seen(sync.groupId(), sync.memberId());
            }
            case HEARTBEAT -> {
                HeartbeatRequestData heartbeat = (HeartbeatRequestData) request.message();
                seen(heartbeat.groupId(), heartbeat.memberId());
            }
            case LEAVE_GROUP -> {
                LeaveGroupRequestData leave = (LeaveGroupRequestData) request.message();
                members.remove(new Member(leave.groupId(), leave.memberId()));
                leave.members().forEach(member -> members.remove(new Member(leave.groupId(), member.memberId())));
            }
            default -> {
            }
        }
        return RequestAction.forward();
    }

    /** Whether this JoinGroup waits for the rest of its group, counting it as come; the last to come releases them all. */
    private static boolean holds(Gathering gathering, JoinGroupRequestData join) {
        String member = join.groupInstanceId() != null ? "instance:" + join.groupInstanceId() : join.memberId();
        if (member.isEmpty() || gathering.oldMemberIds.contains(join.memberId())) {
            return false;
        }
        boolean complete;
        synchronized (gathering) {
            gathering.arrived.add(member);
            complete = gathering.arrived.size() >= gathering.expected;
        }
        if (complete) {
            gathering.released.complete(null);
        }
        return !complete;
    }

    private void seen(String group, String memberId) {
        if (memberId != null && !memberId.isEmpty()) {
            members.put(new Member(group, memberId), Boolean.TRUE);
        }
    }
}
