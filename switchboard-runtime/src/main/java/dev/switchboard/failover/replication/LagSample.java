package dev.switchboard.failover.replication;

import java.time.Instant;
import java.util.List;

/**
 * The replication lag last measured, for the report an unplanned failover gives: how many records the target
 * may lack. When a cluster stops answering, the values stay those of the last sample that read both clusters,
 * {@link #sampledAt()} says when that was, and the reachability flags and {@link #checkedAt()} follow the
 * latest attempt.
 *
 * @param sampledAt        when the values below were read from both clusters
 * @param checkedAt        when the latest attempt was made; equals {@code sampledAt} when it succeeded
 * @param sourceReachable  whether the source answered the latest attempt
 * @param targetReachable  whether the target answered the latest attempt
 * @param topics           every replicated topic (on both clusters, not internal), by name
 * @param sourceOnlyTopics topics on the source that the target lacks, as of {@code sampledAt}; their records are
 *                         not counted in {@code topics}
 */
public record LagSample(Instant sampledAt, Instant checkedAt, boolean sourceReachable, boolean targetReachable,
                        List<TopicLag> topics, List<String> sourceOnlyTopics) {

    public LagSample {
        topics = List.copyOf(topics);
        sourceOnlyTopics = List.copyOf(sourceOnlyTopics);
    }

    /** Whether the latest attempt read both clusters, so the values are current to the sample interval. */
    public boolean current() {
        return sourceReachable && targetReachable;
    }

    /**
     * Records the target lacks, over the partitions behind: what an unplanned failover may lose. Partitions where
     * the target holds more (records MirrorMaker 2 wrote twice) do not offset partitions that are behind.
     */
    public long recordsBehind() {
        return topics.stream().mapToLong(TopicLag::recordsMissingOnTarget).sum();
    }

    /** This sample's values, after an attempt at {@code when} that could not read both clusters. */
    LagSample failedAttempt(Instant when, boolean sourceAnswered, boolean targetAnswered) {
        return new LagSample(sampledAt, when, sourceAnswered, targetAnswered, topics, sourceOnlyTopics);
    }
}
