package dev.switchboard.producerids;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.intercept.RecordBatches.ProducerFields;
import dev.switchboard.producerids.ProducerBinding.PartitionKey;
import dev.switchboard.support.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class ProducerBindingsTest {

    private static final PartitionKey ORDERS_0 = new PartitionKey("orders", 0);
    private static final PartitionKey ORDERS_1 = new PartitionKey("orders", 1);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nextRealId = new AtomicLong(1000);
    private final ProducerIdSource source = cluster -> CompletableFuture.completedFuture(
            new ProducerIdSource.RealProducer(nextRealId.getAndIncrement(), (short) 0));

    @Test
    void virtualIdsCarryTheirIssuerAndTheFirstClusterKeepsRealIds() {
        VirtualProducerIds ids = new VirtualProducerIds(List.of("primary", "secondary"));

        long fromSecondary = VirtualProducerIds.virtualId(ids.tag("secondary"), 7);

        assertThat(VirtualProducerIds.virtualId(ids.tag("primary"), 7)).isEqualTo(7);
        assertThat(fromSecondary).isNotEqualTo(7).isPositive();
        assertThat(VirtualProducerIds.issuer(fromSecondary)).isEqualTo(1);
        assertThat(VirtualProducerIds.realIdAtIssuer(fromSecondary)).isEqualTo(7);
    }

    @Test
    void realSequencesCountFromTheFirstBatchOnTheNewClusterPerPartition() {
        ProducerBindings bindings = new ProducerBindings(source, ProducerBindings.Limits.DEFAULT, clock, registry);
        ProducerBinding binding = bindings.bind(42, "secondary", (short) 3).join();

        assertThat(binding.real(batch(42, 3, 120, 5), ORDERS_0, 0)).isEqualTo(new ProducerFields(1000, (short) 0, 0));
        assertThat(binding.real(batch(42, 3, 125, 5), ORDERS_0, 0)).isEqualTo(new ProducerFields(1000, (short) 0, 5));
        assertThat(binding.real(batch(42, 3, 120, 5), ORDERS_0, 0)).as("a retry").isEqualTo(new ProducerFields(1000, (short) 0, 0));
        assertThat(binding.real(batch(42, 3, 77, 1), ORDERS_1, 0)).isEqualTo(new ProducerFields(1000, (short) 0, 0));
        // The Java producer bumps its epoch by itself and restarts its sequences at 0.
        assertThat(binding.real(batch(42, 4, 0, 2), ORDERS_0, 0)).isEqualTo(new ProducerFields(1000, (short) 1, 0));
        assertThat(binding.real(batch(42, 4, 2, 2), ORDERS_0, 0)).isEqualTo(new ProducerFields(1000, (short) 1, 2));
        assertThat(bindings.on(42, "secondary")).contains(binding);
        assertThat(bindings.on(42, "primary")).isEmpty();
    }

    @Test
    void laterBatchesMayGoOnceTheFirstIsAcceptedAndWhatWaitsForItsAnswerIsToldEitherWay() {
        ProducerBindings bindings = new ProducerBindings(source, ProducerBindings.Limits.DEFAULT, clock, registry);
        ProducerBinding binding = bindings.bind(42, "secondary", (short) 3).join();
        binding.real(batch(42, 3, 120, 5), ORDERS_0, 0);
        int second = binding.real(batch(42, 3, 125, 5), ORDERS_0, 0).baseSequence();
        CompletableFuture<Void> firstAnswered = binding.firstAnswered(ORDERS_0);

        assertThat(binding.mayGo(ORDERS_0, (short) 3, 0)).as("the first itself").isTrue();
        assertThat(binding.mayGo(ORDERS_0, (short) 3, second)).isFalse();
        assertThat(firstAnswered).isNotDone();
        binding.accepted(ORDERS_0, (short) 3);
        assertThat(firstAnswered).isDone();
        assertThat(binding.mayGo(ORDERS_0, (short) 3, second)).isTrue();
        assertThat(binding.firstAnswered(ORDERS_0)).isDone();

        binding.real(batch(42, 3, 77, 1), ORDERS_1, 0);
        CompletableFuture<Void> refusedFirst = binding.firstAnswered(ORDERS_1);
        binding.refused(ORDERS_1, (short) 3);
        assertThat(refusedFirst).as("told, so it is refused in turn rather than waiting").isDone();
        assertThat(binding.mayGo(ORDERS_1, (short) 3, 1)).isFalse();

        binding.real(batch(42, 4, 0, 1), ORDERS_0, 0);
        CompletableFuture<Void> oldEpochsFirst = binding.firstAnswered(ORDERS_0);
        binding.real(batch(42, 5, 0, 1), ORDERS_0, 0);
        assertThat(oldEpochsFirst).as("a newer epoch's first replaces it").isDone();
        assertThat(binding.firstAnswered(ORDERS_0)).isNotDone();
    }

    @Test
    void inAnEpochTheClientBumpedItselfTheBaseIsZeroWhicheverBatchComesFirst() {
        ProducerBindings bindings = new ProducerBindings(source, ProducerBindings.Limits.DEFAULT, clock, registry);
        ProducerBinding binding = bindings.bind(42, "secondary", (short) 0).join();
        binding.real(batch(42, 0, 25, 1), ORDERS_0, 0);

        // The Java producer bumped to epoch 1 and renumbered the batches it had in flight 0 to 3; its new batch, 4,
        // reached the gateway before their retries.
        ProducerFields overtaking = binding.real(batch(42, 1, 4, 1), ORDERS_0, 0);
        assertThat(overtaking).isEqualTo(new ProducerFields(1000, (short) 1, 4));
        assertThat(binding.mayGo(ORDERS_0, (short) 1, overtaking.baseSequence())).as("refused, to come after the first").isFalse();
        assertThat(binding.firstAnswered(ORDERS_0)).as("the first is behind it: nothing to wait for").isDone();
        assertThat(binding.real(batch(42, 1, 0, 4), ORDERS_0, 0)).isEqualTo(new ProducerFields(1000, (short) 1, 0));
        assertThat(binding.mayGo(ORDERS_0, (short) 1, 0)).isTrue();
        assertThat(binding.firstAnswered(ORDERS_0)).as("the first went: later batches wait for its answer").isNotDone();
    }

    @Test
    void sequencesWrapAsTheClientsDo() {
        ProducerBindings bindings = new ProducerBindings(source, ProducerBindings.Limits.DEFAULT, clock, registry);
        ProducerBinding binding = bindings.bind(42, "secondary", (short) 0).join();

        binding.real(batch(42, 0, Integer.MAX_VALUE - 1, 2), ORDERS_0, 0);

        assertThat(binding.real(batch(42, 0, 0, 1), ORDERS_0, 0).baseSequence()).isEqualTo(2);
    }

    @Test
    void bindingsBeyondTheCapOrUnusedTooLongAreDroppedAndCounted() {
        ProducerBindings bindings = new ProducerBindings(source, new ProducerBindings.Limits(10, Duration.ofMinutes(5)), clock, registry);
        for (long id = 0; id < 11; id++) {
            bindings.bind(id, "secondary", (short) 0).join();
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(bindings.size()).isLessThanOrEqualTo(10);
        assertThat(bindings.bound(0)).as("the least recently used").isFalse();
        assertThat(registry.get("switchboard.virtual.producers.dropped").tag("reason", "cap").counter().count()).isPositive();

        clock.advance(Duration.ofMinutes(6));
        bindings.expireIdle();

        assertThat(bindings.size()).isZero();
        assertThat(registry.get("switchboard.virtual.producers.dropped").tag("reason", "aged_out").counter().count()).isPositive();
    }

    private static RecordBatch batch(long producerId, int epoch, int baseSequence, int records) {
        SimpleRecord[] values = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            values[i] = new SimpleRecord(("v" + i).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) epoch, baseSequence, values)
                .batches().iterator().next();
    }
}
