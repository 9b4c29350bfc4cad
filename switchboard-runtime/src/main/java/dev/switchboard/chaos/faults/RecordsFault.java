package dev.switchboard.chaos.faults;

import java.util.ArrayList;
import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A fault that changes the record batches of the topics in scope, on one side of the log chosen by its {@code target}
 * param: {@code fetch} (the default) changes what consumers read and leaves the log as it is; {@code produce} changes
 * what is written. Each produce request or fetch response with records in scope (by topic, and by group: a fetch by
 * its client's group) is one hit, and when the rule hits it every partition of it with records in scope is changed;
 * the others pass as they came. Changed batches are new buffers, re-encoded into a new frame by the data path.
 */
abstract class RecordsFault implements Fault {

    /** Which side of the log a record fault changes. */
    enum Target {
        FETCH(Interest.responses(ApiKeys.FETCH)), PRODUCE(Interest.requests(ApiKeys.PRODUCE));

        private final Interest interest;

        Target(Interest interest) {
            this.interest = interest;
        }

        static Target parse(Params params) {
            return params.choice("target", "fetch", "fetch", "produce").equals("fetch") ? FETCH : PRODUCE;
        }
    }

    private final Target target;

    RecordsFault(Target target) {
        this.target = target;
    }

    /** The changed copy of one partition's batches; {@code records} is a view of the frame, never written to. */
    abstract MemoryRecords change(MemoryRecords records, FaultContext context);

    @Override
    public Interest interest() {
        return target.interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request)) {
            return RequestAction.forward();
        }
        List<ProduceRequestData.PartitionProduceData> inScope = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : ((ProduceRequestData) request.message()).topicData()) {
            if (context.topicInScope(topic.name(), topic.topicId())) {
                topic.partitionData().stream().filter(partition -> hasRecords(partition.records())).forEach(inScope::add);
            }
        }
        if (inScope.isEmpty() || !context.hit()) {
            return RequestAction.forward();
        }
        inScope.forEach(partition -> partition.setRecords(change((MemoryRecords) partition.records(), context)));
        return RequestAction.forwardModified();
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        // A fetch names no group: it is in a group's scope when its client was seen in that group.
        if (!context.groupInScope((String) null)) {
            return ResponseAction.forward();
        }
        List<FetchResponseData.PartitionData> inScope = PartitionErrors.inScope((FetchResponseData) response.message(), context)
                .stream().filter(partition -> hasRecords(partition.records())).toList();
        if (inScope.isEmpty() || !context.hit()) {
            return ResponseAction.forward();
        }
        inScope.forEach(partition -> partition.setRecords(change((MemoryRecords) partition.records(), context)));
        return ResponseAction.forwardModified();
    }

    private static boolean hasRecords(BaseRecords records) {
        return records instanceof MemoryRecords memory && memory.sizeInBytes() > 0;
    }
}
