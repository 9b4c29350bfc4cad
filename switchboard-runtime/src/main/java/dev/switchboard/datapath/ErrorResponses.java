package dev.switchboard.datapath;

import java.util.EnumSet;
import java.util.Set;

import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;

/**
 * The error response a broker would give to a request: kafka-clients' own, with the error on every partition, group
 * or resource where the API has them, except where a broker places the error elsewhere.
 */
final class ErrorResponses {

    /** From v4 an AddPartitionsToTxn batches transactions; the broker refuses the whole batch only for these. */
    private static final short BATCHED_ADD_PARTITIONS = 4;
    private static final Set<Errors> WHOLE_BATCH = EnumSet.of(Errors.CLUSTER_AUTHORIZATION_FAILED, Errors.UNSUPPORTED_VERSION);

    private ErrorResponses() {
    }

    static ApiMessage of(AbstractRequest request, Errors error, String message) {
        if (request instanceof AddPartitionsToTxnRequest addPartitions && request.version() >= BATCHED_ADD_PARTITIONS
                && !WHOLE_BATCH.contains(error)) {
            return perTransaction(addPartitions, error);
        }
        return request.getErrorResponse(0, error.exception(message)).data();
    }

    /**
     * kafka-clients puts any error at the top of a batched response, which fails every transaction of the batch with
     * it; a broker answers a coordinator error for each transaction's partitions, as done here.
     */
    private static AddPartitionsToTxnResponseData perTransaction(AddPartitionsToTxnRequest request, Errors error) {
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        for (AddPartitionsToTxnTransaction transaction : request.data().transactions()) {
            response.resultsByTransaction().add(request.errorResponseForTransaction(transaction.transactionalId(), error));
        }
        return response;
    }
}
