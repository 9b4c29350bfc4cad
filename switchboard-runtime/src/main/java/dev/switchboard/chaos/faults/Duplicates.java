package dev.switchboard.chaos.faults;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RecordBatches;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * {@code duplicates}: records of the topics in scope are seen twice, as after a consumer re-read or a producer's
 * blind retry. Param {@code target}: {@code fetch} (default) or {@code produce}.
 *
 * <p><b>fetch</b>, delivered twice with the log untouched: a consumer receives every record in scope twice, in order,
 * each range once more right after it first came; the broker's log holds each once. A consumer drops records below its
 * fetch position, so repeating batches in a response would not reach the application; instead, once a consumer has
 * received a range of records and fetches the offset after it, the gateway answers that partition with
 * OFFSET_OUT_OF_RANGE, and answers the offset reset the consumer then asks for (ListOffsets) with the range's first
 * offset, so it fetches the range again (see {@link FetchRepeats}). Kafka's Java consumer logs "out of range,
 * resetting offset", librdkafka an offset reset; neither raises an error with a reset policy. A consumer with
 * {@code auto.offset.reset=none} gets an OffsetOutOfRangeException instead, as it would from a broker. The rule's rate
 * is the share of fetch responses with records in scope whose records are delivered again. Diverging epochs (KIP-320)
 * would be the gentler signal, but Kafka's Java consumer ignores them in fetch responses.
 *
 * <p><b>produce</b>, written twice: every record of a produce request in scope is appended twice in a row to its
 * batch (see {@link RecordBatches#doubleRecords}), so the log holds each twice, at consecutive offsets. Batches of
 * idempotent and transactional producers (producer id set) are left alone and not counted as affected: doubling them
 * would break their sequence numbers, and the broker would refuse the producer's next batch.
 */
public final class Duplicates implements Fault {

    public static final FaultType TYPE = new FaultType("duplicates",
            "Records seen twice: delivered twice to consumers (fetch), or written twice to the log (produce)", Duplicates::parse);

    static final String FETCH = "fetch";
    static final String PRODUCE = "produce";

    private static final Interest FETCH_INTEREST = Interest.requests(ApiKeys.FETCH).andResponses(ApiKeys.FETCH);
    private static final Interest PRODUCE_INTEREST = Interest.requests(ApiKeys.PRODUCE);

    private final boolean produce;

    Duplicates(boolean produce) {
        this.produce = produce;
    }

    static Duplicates parse(Params params) {
        return new Duplicates(params.choice("target", FETCH, FETCH, PRODUCE).equals(PRODUCE));
    }

    @Override
    public Interest interest() {
        return produce ? PRODUCE_INTEREST : FETCH_INTEREST;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request)) {
            return RequestAction.forward();
        }
        if (request.apiKey() == ApiKeys.FETCH) {
            context.connectionState(FetchRepeats::new).fetching(request, context);
            return RequestAction.forward();
        }
        return doubleProduce(request, context);
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        return context.connectionState(FetchRepeats::new).delivered(response, context);
    }

    private static RequestAction doubleProduce(InterceptedRequest request, FaultContext context) {
        List<ProduceRequestData.PartitionProduceData> doubled = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : ((ProduceRequestData) request.message()).topicData()) {
            if (!context.topicInScope(topic.name(), topic.topicId())) {
                continue;
            }
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records && withoutProducerId(records)) {
                    doubled.add(partition);
                }
            }
        }
        if (doubled.isEmpty() || !context.hit()) {
            return RequestAction.forward();
        }
        for (ProduceRequestData.PartitionProduceData partition : doubled) {
            partition.setRecords(RecordBatches.doubleRecords((MemoryRecords) partition.records()));
        }
        return RequestAction.forwardModified();
    }

    private static boolean withoutProducerId(MemoryRecords records) {
        boolean any = false;
        for (RecordBatch batch : records.batches()) {
            if (batch.hasProducerId()) {
                return false;
            }
            any = true;
        }
        return any;
    }
}
