package dev.switchboard.failover;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a switch, an idempotent producer's id and epoch come from the previous cluster. Forwarded as they are, they
 * could meet another producer holding the same id on the new cluster, and a batch matching one of that producer's
 * last batches would be acknowledged and dropped as a duplicate. So such a produce is answered
 * OUT_OF_ORDER_SEQUENCE_NUMBER on every partition, on which the Java producer bumps its epoch and restarts its
 * sequences; InitProducerId responses tell which ids the new cluster issued. Before the first switch this
 * interceptor is interested in nothing.
 */
public final class StaleProducers implements InterceptorFactory, Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(StaleProducers.class);
    private static final Interest PRODUCE_AND_IDS = Interest.requests(ApiKeys.PRODUCE).andResponses(ApiKeys.INIT_PRODUCER_ID);

    private final SwitchFence fence;

    public StaleProducers(SwitchFence fence) {
        this.fence = fence;
    }

    @Override
    public String name() {
        return "stale-producers";
    }

    /** Keeps no per-connection state, so every connection shares this one. */
    @Override
    public Interceptor create(ConnectionContext connection) {
        return this;
    }

    @Override
    public Interest interest() {
        return fence.resequencesProducers() ? PRODUCE_AND_IDS : Interest.NONE;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
        if (!request.expectsResponse() || !stale((ProduceRequestData) request.message())) {
            return RequestAction.forward();
        }
        LOG.info("Produce of clientId={} answered OUT_OF_ORDER_SEQUENCE_NUMBER: its producer id predates the switch,"
                + " so it bumps its epoch before writing to cluster {}", context.clientId(), context.servingCluster().orElse("?"));
        return RequestAction.answerError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                "the producer id predates the cluster switch; bump the epoch");
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
        InitProducerIdResponseData issued = (InitProducerIdResponseData) response.message();
        if (issued.errorCode() == 0 && issued.producerId() >= 0) {
            fence.producerIdIssued(issued.producerId(), issued.producerEpoch());
        }
        return ResponseAction.forward();
    }

    /** Whether any partition's records come from an idempotent producer whose id predates the switch. */
    private boolean stale(ProduceRequestData produce) {
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records) {
                    for (MutableRecordBatch batch : records.batches()) {
                        if (batch.hasProducerId() && !batch.isTransactional()
                                && fence.resequences(batch.producerId(), batch.producerEpoch())) {
                            return true;
                        }
                        break; // a request carries one producer's batches: the first tells
                    }
                }
            }
        }
        return false;
    }
}
