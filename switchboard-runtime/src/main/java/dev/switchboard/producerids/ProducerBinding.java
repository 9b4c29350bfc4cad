package dev.switchboard.producerids;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.intercept.RecordBatches.ProducerFields;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * A virtual producer's real identity on a cluster other than its issuer, obtained when it first produced there.
 *
 * <p>The client's sequences go on from where they were on the previous cluster, while the new real producer's start
 * at 0; so per partition the first sequence the client sends here is the base, and the real sequence is the client's
 * less the base. Epochs keep their distance from the epoch the client had when it was bound: a Java producer that bumps
 * its epoch by itself (and restarts its sequences at 0) bumps the real one with it, and that partition's base starts
 * again. Used from the event loops of every connection the producer has, so what changes is concurrent; each partition
 * is only ever written through one connection, its leader's, so its base is set in order.
 */
final class ProducerBinding {

    /** Where a partition's real sequences start: the client's sequence at the first batch of an epoch here. */
    private record Base(short virtualEpoch, int sequence) {
    }

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
        Base base = bases.compute(partition, (key, known) -> known == null || epoch > known.virtualEpoch()
                ? new Base(epoch, sequence) : known);
        // A batch of an older epoch than the partition's base is one the broker fences anyway; left as it is.
        int realSequence = epoch == base.virtualEpoch() ? DefaultRecordBatch.decrementSequence(sequence, base.sequence()) : sequence;
        return new ProducerFields(realId, (short) (realEpoch + epoch - virtualEpoch), realSequence);
    }

    @Override
    public String toString() {
        return "ProducerBinding[virtual=" + virtualId + ", cluster=" + cluster + ", real=" + realId + "/" + realEpoch
                + ", partitions=" + bases.size() + "]";
    }
}
