package dev.switchboard.chaos.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ResponseAction;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One connection's fetches under a {@code duplicates} rule: which records each partition in scope delivered once and
 * must deliver again, and the rewind that does it.
 *
 * <pre>
 *  response: records [A, X) delivered, rule hits ──▶ pending [A, X)
 *  request:  fetch at X ──▶ its response gives the partition OFFSET_OUT_OF_RANGE, no records
 *  request:  ListOffsets (the consumer's reset) ──▶ its response gives offset A
 *  request:  fetch at A ──▶ [A, X) delivered again; records from X on are new, and may be pending in turn
 * </pre>
 *
 * A range is repeated once: offsets below {@code settled} are never repeated again, so a consumer does not re-read
 * forever. A fetch at X again, without a reset between, is told again, at most {@value #MAX_REWINDS} times. A fetch at another offset than X (the application seeked) forgets the pending range. The rewind's second
 * half is followed even if the rule ends in between, so a consumer told its offset is out of range always resets to A,
 * never to its reset policy's end of the log. At most {@value #MAX_PARTITIONS} partitions are remembered per
 * connection, the least recently fetched dropped first and counted in
 * {@code switchboard_chaos_duplicates_partitions_dropped_total}.
 */
final class FetchRepeats {

    static final int MAX_PARTITIONS = 1_000;
    /** Out-of-range answers for one range before it is given up, for a consumer that never resets. */
    private static final int MAX_REWINDS = 3;
    /** Fetches in flight on one connection: one at a time for Kafka's clients and librdkafka. */
    private static final int MAX_IN_FLIGHT = 16;
    private static final Interest RESET_REQUESTS = Interest.requests(ApiKeys.LIST_OFFSETS, ApiKeys.FETCH);

    private record Key(String topic, int partition) {
    }

    /** A partition's delivery so far on this connection. */
    private static final class Delivery {
        /** Offsets below it are never repeated (again). */
        long settled = -1;
        /** Delivered once, to deliver again; null when none. */
        Range pending;
        /** Times the consumer was told its offset is out of range for {@code pending}. */
        int rewinds;

        void settle(long offset) {
            settled = Math.max(settled, offset);
            pending = null;
            rewinds = 0;
        }
    }

    /** Offsets {@code [from, to)} of one partition, {@code epoch} the leader epoch of the first one's batch. */
    private record Range(long from, long to, int epoch) {

        Range after(long settled) {
            return new Range(Math.max(from, settled), to, epoch);
        }

        boolean isEmpty() {
            return to <= from;
        }
    }

    /** A partition as a fetch request named it, with the offset it asked for. */
    private record Asked(Key key, String topicName, Uuid topicId, long offset) {
    }

    private final Map<Key, Delivery> partitions = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Integer, Map<Key, Asked>> inFlight = new LinkedHashMap<>();

    /** A fetch request: remembers what it asks for, and rewinds the partitions whose pending range it just passed. */
    void fetching(InterceptedRequest request, FaultContext context) {
        Map<Key, Asked> asked = new HashMap<>();
        for (FetchRequestData.FetchTopic topic : ((FetchRequestData) request.message()).topics()) {
            Optional<String> name = context.connection().topicName(topic.topic(), topic.topicId());
            if (name.isEmpty() || !context.topicInScope(name.get())) {
                continue;
            }
            for (FetchRequestData.FetchPartition partition : topic.partitions()) {
                Asked one = new Asked(new Key(name.get(), partition.partition()), topic.topic(), topic.topicId(),
                        partition.fetchOffset());
                asked.put(one.key(), one);
                Delivery delivery = partitions.get(one.key());
                if (delivery != null && delivery.pending != null) {
                    if (one.offset() == delivery.pending.to() && delivery.rewinds < MAX_REWINDS) {
                        // Kept pending until the consumer resets: kafkajs, told of several partitions at once, resets
                        // one and fetches the others at the same offset again.
                        delivery.rewinds++;
                        rewind(request.header().correlationId(), one, delivery.pending, context);
                    } else {
                        delivery.settle(delivery.pending.to());
                    }
                }
            }
        }
        if (!asked.isEmpty()) {
            inFlight.put(request.header().correlationId(), asked);
            if (inFlight.size() > MAX_IN_FLIGHT) {
                inFlight.remove(inFlight.keySet().iterator().next());
            }
        }
    }

    /**
     * A fetch response: the records it delivers for the first time become pending, all of this response's at once,
     * when the rule hits it.
     */
    ResponseAction delivered(InterceptedResponse response, FaultContext context) {
        Map<Key, Asked> asked = inFlight.remove(response.correlationId());
        if (asked == null) {
            return ResponseAction.forward();
        }
        Map<Delivery, Range> firstTime = new HashMap<>();
        for (FetchResponseData.FetchableTopicResponse topic : ((FetchResponseData) response.message()).responses()) {
            Optional<String> name = context.connection().topicName(topic.topic(), topic.topicId());
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                Asked one = name.map(n -> asked.get(new Key(n, partition.partitionIndex()))).orElse(null);
                if (one == null || partition.errorCode() != Errors.NONE.code()
                        || !(partition.records() instanceof MemoryRecords records)) {
                    continue;
                }
                Optional<Range> taken = taken(records, one.offset());
                if (taken.isPresent()) {
                    Delivery delivery = delivery(one.key(), context);
                    Range first = taken.get().after(delivery.settled);
                    if (!first.isEmpty()) {
                        firstTime.put(delivery, first);
                    }
                }
            }
        }
        if (firstTime.isEmpty()) {
            return ResponseAction.forward();
        }
        boolean repeat = context.hit();
        firstTime.forEach((delivery, range) -> {
            if (repeat) {
                delivery.pending = range;
            } else {
                delivery.settle(range.to());
            }
        });
        return ResponseAction.forward();
    }

    /**
     * The offsets a consumer fetching at {@code fetchOffset} takes from these records; empty when none. Only whole
     * batches count: the record iterator skips a truncated last one, and so does a client.
     */
    private static Optional<Range> taken(MemoryRecords records, long fetchOffset) {
        long from = -1;
        long to = -1;
        int epoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
        for (RecordBatch batch : records.batches()) {
            if (batch.lastOffset() < fetchOffset) {
                continue;
            }
            if (from < 0) {
                from = Math.max(fetchOffset, batch.baseOffset());
                epoch = batch.partitionLeaderEpoch();
            }
            to = batch.nextOffset();
        }
        return from < 0 ? Optional.empty() : Optional.of(new Range(from, to, epoch));
    }

    private Delivery delivery(Key key, FaultContext context) {
        Delivery delivery = partitions.get(key);
        if (delivery == null) {
            delivery = new Delivery();
            partitions.put(key, delivery);
            if (partitions.size() > MAX_PARTITIONS) {
                partitions.remove(partitions.keySet().iterator().next());
                Counter.builder("switchboard.chaos.duplicates.partitions.dropped")
                        .description("Partitions a duplicates rule forgot on a connection, to keep its state bounded")
                        .register(context.registry()).increment();
            }
        }
        return delivery;
    }

    /** Tells the consumer its offset is out of range, and answers the reset it then asks for with the pending range's start. */
    private static void rewind(int correlationId, Asked asked, Range again, FaultContext context) {
        context.changeResponse(correlationId, ApiKeys.FETCH, response -> outOfRange((FetchResponseData) response, asked));
        context.followRequests(RESET_REQUESTS, request -> {
            if (request.apiKey() == ApiKeys.FETCH) {
                // A fetch of the partition before any reset: the consumer went on without one.
                return names(request, asked, context);
            }
            if (!names(request, asked, context)) {
                return false;
            }
            short version = request.apiVersion();
            context.changeResponse(request.header().correlationId(), ApiKeys.LIST_OFFSETS,
                    response -> resetTo((ListOffsetsResponseData) response, asked.key(), again, version));
            return true;
        });
    }

    private static void outOfRange(FetchResponseData response, Asked asked) {
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            if (topic.topic().equals(asked.topicName()) && topic.topicId().equals(asked.topicId())) {
                for (FetchResponseData.PartitionData partition : topic.partitions()) {
                    if (partition.partitionIndex() == asked.key().partition()) {
                        PartitionErrors.fail(partition, Errors.OFFSET_OUT_OF_RANGE);
                        return;
                    }
                }
                topic.partitions().add(outOfRange(asked));
                return;
            }
        }
        // An incremental fetch session leaves out a partition with nothing new: the error must be added.
        response.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic(asked.topicName())
                .setTopicId(asked.topicId()).setPartitions(new ArrayList<>(List.of(outOfRange(asked)))));
    }

    private static FetchResponseData.PartitionData outOfRange(Asked asked) {
        return PartitionErrors.fail(new FetchResponseData.PartitionData().setPartitionIndex(asked.key().partition()),
                Errors.OFFSET_OUT_OF_RANGE);
    }

    private static void resetTo(ListOffsetsResponseData response, Key key, Range again, short version) {
        for (ListOffsetsResponseData.ListOffsetsTopicResponse topic : response.topics()) {
            if (!topic.name().equals(key.topic())) {
                continue;
            }
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse partition : topic.partitions()) {
                if (partition.partitionIndex() == key.partition()) {
                    // Leader epochs came with ListOffsets v4.
                    partition.setErrorCode(Errors.NONE.code()).setOffset(again.from()).setTimestamp(-1)
                            .setLeaderEpoch(version >= 4 ? again.epoch() : -1);
                }
            }
        }
    }

    /** Whether a ListOffsets or Fetch request names the partition {@code asked} is about. */
    private static boolean names(InterceptedRequest request, Asked asked, FaultContext context) {
        if (request.apiKey() == ApiKeys.LIST_OFFSETS) {
            for (ListOffsetsRequestData.ListOffsetsTopic topic : ((ListOffsetsRequestData) request.message()).topics()) {
                if (topic.name().equals(asked.key().topic())
                        && topic.partitions().stream().anyMatch(p -> p.partitionIndex() == asked.key().partition())) {
                    return true;
                }
            }
            return false;
        }
        for (FetchRequestData.FetchTopic topic : ((FetchRequestData) request.message()).topics()) {
            if (context.connection().topicName(topic.topic(), topic.topicId()).filter(asked.key().topic()::equals).isPresent()
                    && topic.partitions().stream().anyMatch(p -> p.partition() == asked.key().partition())) {
                return true;
            }
        }
        return false;
    }
}
