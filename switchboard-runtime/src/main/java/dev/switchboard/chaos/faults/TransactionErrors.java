package dev.switchboard.chaos.faults;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.chaos.RequestTopics;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * {@code transaction-errors}: the requests of transactional producers fail with chosen error codes, as from a
 * transaction coordinator that is loading, moving or busy with the previous transaction. The gateway answers them
 * itself, so the coordinator never sees a failed request: a retried EndTxn commits once.
 *
 * <p>Params: {@code errors: {InitProducerId: CODE or [CODES], AddPartitionsToTxn: ..., AddOffsetsToTxn: ...,
 * TxnOffsetCommit: ..., EndTxn: ...}}; each code must be one that API answers with, and the APIs not named are left
 * alone. Without {@code errors}, every one of them fails with codes Java's transactional producer retries:
 * COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE (it looks the coordinator up again) and, except on
 * TxnOffsetCommit, CONCURRENT_TRANSACTIONS. A fatal code such as TRANSACTIONAL_ID_AUTHORIZATION_FAILED or
 * INVALID_TXN_STATE reaches the application as that exception.
 *
 * <p>Scope: AddPartitionsToTxn and TxnOffsetCommit are in scope when a partition they name is of a topic in scope;
 * AddOffsetsToTxn and TxnOffsetCommit when their group is in scope. InitProducerId and EndTxn name no topic, so only a
 * rule that names no topic fails them, as every type treats a request without a topic. InitProducerId without a
 * transactional id (an idempotent producer's) is never failed.
 */
public final class TransactionErrors implements Fault {

    public static final FaultType TYPE = new FaultType("transaction-errors",
            "InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn fail with chosen error codes "
                    + "(default: retriable ones)", TransactionErrors::parse);

    static final List<ApiKeys> APIS = List.of(ApiKeys.INIT_PRODUCER_ID, ApiKeys.ADD_PARTITIONS_TO_TXN,
            ApiKeys.ADD_OFFSETS_TO_TXN, ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.END_TXN);
    private static final List<Errors> RETRIED = List.of(Errors.COORDINATOR_LOAD_IN_PROGRESS,
            Errors.COORDINATOR_NOT_AVAILABLE, Errors.CONCURRENT_TRANSACTIONS);
    /** TxnOffsetCommit goes to the group coordinator, whose retriable answers are about itself, not the transaction. */
    private static final List<Errors> RETRIED_OFFSET_COMMIT = List.of(Errors.COORDINATOR_LOAD_IN_PROGRESS,
            Errors.COORDINATOR_NOT_AVAILABLE);
    static final Map<ApiKeys, List<Errors>> DEFAULTS = defaults();

    private final Map<ApiKeys, List<Errors>> errors;
    private final Interest interest;

    TransactionErrors(Map<ApiKeys, List<Errors>> errors) {
        this.errors = errors;
        this.interest = Interest.requests(errors.keySet().toArray(ApiKeys[]::new));
    }

    static TransactionErrors parse(Params params) {
        if (!params.has("errors")) {
            return new TransactionErrors(DEFAULTS);
        }
        Params named = params.nested("errors");
        Map<ApiKeys, List<Errors>> errors = new EnumMap<>(ApiKeys.class);
        for (ApiKeys api : APIS) {
            List<Errors> codes = named.errors(api.name, api, List.of());
            if (!codes.isEmpty()) {
                errors.put(api, codes);
            }
        }
        named.finish();
        if (errors.isEmpty()) {
            throw params.invalid("errors", "must name codes for one or more of " + APIS.stream().map(api -> api.name).toList());
        }
        return new TransactionErrors(errors);
    }

    private static Map<ApiKeys, List<Errors>> defaults() {
        Map<ApiKeys, List<Errors>> defaults = new EnumMap<>(ApiKeys.class);
        APIS.forEach(api -> defaults.put(api, api == ApiKeys.TXN_OFFSET_COMMIT ? RETRIED_OFFSET_COMMIT : RETRIED));
        return Map.copyOf(defaults);
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!inScope(request, context) || !context.hit()) {
            return RequestAction.forward();
        }
        return RequestAction.answerError(PartitionErrors.pick(errors.get(request.apiKey()), context), "chaos: transaction errors");
    }

    private static boolean inScope(InterceptedRequest request, FaultContext context) {
        if (request.apiKey() == ApiKeys.INIT_PRODUCER_ID
                && ((InitProducerIdRequestData) request.message()).transactionalId() == null) {
            return false;
        }
        return context.groupInScope(request) && RequestTopics.anyInScope(request, context);
    }
}
