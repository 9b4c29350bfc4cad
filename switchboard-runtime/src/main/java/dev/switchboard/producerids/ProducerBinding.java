package dev.switchboard.producerids;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.intercept.RecordBatches.ProducerFields;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual producer's real identity on a cluster other than its issuer, obtained when it first produced there.
 *
 * <p>The client's sequences go on from where they were on the previous cluster, while the new real producer's start
 * at 0; so per partition the first sequence the client sends here is the base, and the real sequence is the client's
 * less the base. Epochs keep their distance from the epoch the client had when it was bound: a Java producer that bumps
 * its epoch by itself (and restarts its sequences at 0) bumps the real one with it, and that partition's base is 0 in
 * the new epoch, whichever of its batches arrives first. Used from the event loops of every connection the producer
 * has, so what changes is concurrent; each partition is only ever written through one connection, its leader's, so
 * its base is set in order.
 *
 * <p>Until the cluster has accepted a partition's first batch here, only that batch may go: a broker takes any
 * sequence as the first of a producer it has no state for, so a later batch that overtook it (a client retrying the
 * first after an UNKNOWN_TOPIC_ID, say, while its next went out with the new cluster's topic id) would leave the first
 * out of order for ever. See {@link #mayGo}. A later batch waits for the first's answer ({@link #firstAnswered}):
 * once the first is accepted it goes in order; if the first was refused, or its answer never came, it is answered
 * NOT_LEADER_OR_FOLLOWER, which every client retries after the first.
 */
final class ProducerBinding {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerBinding.class);

    /**
     * Where a partition's real sequences start: the client's sequence at the first batch of an epoch here; {@code
     * firstSent} once that batch itself went to the cluster (in an epoch the client bumped, a later batch may come
     * before it); {@code accepted} once the cluster acknowledged a batch of that epoch. {@code firstAnswered} completes
     * once the cluster answered that first batch, either way, or the base gave way to a newer epoch's.
     */
    private record Base(short virtualEpoch, int sequence, boolean firstSent, boolean accepted,
                        CompletableFuture<Void> firstAnswered) {

        Base(short virtualEpoch, int sequence) {
            this(virtualEpoch, sequence, false, false, new CompletableFuture<>());
        }

        Base sent() {
            return new Base(virtualEpoch, sequence, true, accepted, firstAnswered);
        }

        Base accept() {
            firstAnswered.complete(null);
            return new Base(virtualEpoch, sequence, firstSent, true, firstAnswered);
        }
    }

    private static final CompletableFuture<Void> ANSWERED = CompletableFuture.completedFuture(null);

    /** A partition, by topic name or, for Produce v13 and later, topic id. */
    record PartitionKey(Object topic, int partition) {
    }

    private final long virtualId;
    private final String cluster;
    private final long realId;
    private final short realEpoch;
    private final short virtualEpoch;
    private final Map<PartitionKey, Base> bases = new ConcurrentHashMap<>();
    private volatile long lastUsedMillis;

    ProducerBinding(long virtualId, String cluster, long realId, short realEpoch, short virtualEpoch, long nowMillis) {
        this.virtualId = virtualId;
        this.cluster = cluster;
        this.realId = realId;
        this.realEpoch = realEpoch;
        this.virtualEpoch = virtualEpoch;
        this.lastUsedMillis = nowMillis;
    }

    String cluster() {
        return cluster;
    }

    long virtualId() {
        return virtualId;
    }

    long realId() {
        return realId;
    }

    long lastUsedMillis() {
        return lastUsedMillis;
    }

    /** The real producer fields of a batch the client sent for {@code partition}. */
    ProducerFields real(RecordBatch batch, PartitionKey partition, long nowMillis) {
        lastUsedMillis = nowMillis;
        short epoch = batch.producerEpoch();
        int sequence = batch.baseSequence();
        Base base = bases.compute(partition, (key, known) -> {
            if (known != null && epoch <= known.virtualEpoch()) {
                return known;
            }
            if (known != null) {
                known.firstAnswered().complete(null); // what waited on the old epoch's first batch waits no longer
            }
            // A newer epoch than the one bound with is one the client bumped itself, restarting its sequences at 0:
            // batches of it may reach the gateway out of order (a new one before renumbered ones it retries), so the
            // base is 0, not the first seen.
            int first = epoch > virtualEpoch ? 0 : sequence;
            LOG.debug("Virtual producer {} on cluster {}: {} starts at client sequence {} of epoch {}", virtualId, cluster,
                    partition, first, epoch);
            return new Base(epoch, first);
        });
        // A batch of an older epoch than the partition's base is one the broker fences anyway; left as it is.
        int realSequence = epoch == base.virtualEpoch() ? DefaultRecordBatch.decrementSequence(sequence, base.sequence()) : sequence;
        if (realSequence == 0 && epoch == base.virtualEpoch() && !base.firstSent()) {
            bases.computeIfPresent(partition, (key, known) -> known.virtualEpoch() == epoch ? known.sent() : known);
        }
        if (sequence < base.sequence() && realSequence > Integer.MAX_VALUE / 2) {
            // Below the base, not wrapped past it: the broker refuses it out of order, and the client retries for ever.
            LOG.warn("Virtual producer {} on cluster {}: {} got client sequence {} below its first here, {}, in epoch {}",
                    virtualId, cluster, partition, sequence, base.sequence(), epoch);
        }
        return new ProducerFields(realId, (short) (realEpoch + epoch - virtualEpoch), realSequence);
    }

    /**
     * Whether a batch with these real fields may go to the cluster now: the partition's first batch here has been
     * accepted, or this is that batch (real sequence 0). A batch of an older epoch than the base goes too: the broker
     * fences it.
     */
    boolean mayGo(PartitionKey partition, short virtualEpoch, int realSequence) {
        Base base = bases.get(partition);
        return base == null || base.accepted() || realSequence == 0 || virtualEpoch != base.virtualEpoch();
    }

    /** Whether the partition has a base here that the cluster has not accepted a batch of yet. */
    boolean awaitsFirstAcceptance(PartitionKey partition) {
        Base base = bases.get(partition);
        return base != null && !base.accepted();
    }

    /**
     * Completes once the cluster answered the partition's first batch here, accepted or not; at once when there is
     * nothing to wait for, or the first has not gone yet: it comes after the batch that asks, on the same connection,
     * so waiting for it would hold up the very batch it waits for.
     */
    CompletableFuture<Void> firstAnswered(PartitionKey partition) {
        Base base = bases.get(partition);
        return base == null || base.accepted() || !base.firstSent() ? ANSWERED : base.firstAnswered();
    }

    /** The cluster acknowledged a batch of {@code virtualEpoch} for {@code partition}. */
    void accepted(PartitionKey partition, short virtualEpoch) {
        bases.computeIfPresent(partition, (key, base) -> base.virtualEpoch() == virtualEpoch && !base.accepted()
                ? base.accept() : base);
    }

    /**
     * The cluster refused the partition's first batch of {@code virtualEpoch}, or its answer will never come: what
     * waited on it goes on, and is answered NOT_LEADER_OR_FOLLOWER so the client sends the first again before it.
     */
    void refused(PartitionKey partition, short virtualEpoch) {
        Base base = bases.get(partition);
        if (base != null && base.virtualEpoch() == virtualEpoch) {
            base.firstAnswered().complete(null);
        }
    }

    @Override
    public String toString() {
        return "ProducerBinding[virtual=" + virtualId + ", cluster=" + cluster + ", real=" + realId + "/" + realEpoch
                + ", partitions=" + bases.size() + "]";
    }
}
