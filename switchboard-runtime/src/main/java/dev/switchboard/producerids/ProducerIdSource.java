package dev.switchboard.producerids;

import java.util.concurrent.CompletableFuture;

/** Obtains a fresh idempotent producer identity on a cluster, as InitProducerId without a transactional id gives it. */
public interface ProducerIdSource extends AutoCloseable {

    /** A real producer id and epoch on one cluster. */
    record RealProducer(long producerId, short producerEpoch) {
    }

    /** Completes with a producer id the cluster just issued, or fails with why it could not get one. */
    CompletableFuture<RealProducer> obtain(String cluster);

    @Override
    default void close() {
    }
}
