package dev.switchboard.chaos.faults;

import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * {@code broken-broker}: produce and fetch requests on the topics in scope fail with the chosen error codes, as from
 * a broker whose disk or replicas are failing. Params: {@code errors: {produce: CODE or [CODES], fetch: ...}}; each code
 * must be one that API answers with. Without {@code errors}, both fail with retriable codes: produce with
 * NOT_ENOUGH_REPLICAS, fetch with KAFKA_STORAGE_ERROR. Naming only one API leaves the other alone. A failed produce is
 * not written.
 */
public final class BrokenBroker implements Fault {

    public static final FaultType TYPE = new FaultType("broken-broker",
            "Produce and/or Fetch fail with chosen error codes (default: retriable ones)", BrokenBroker::parse);

    static final List<Errors> DEFAULT_PRODUCE = List.of(Errors.NOT_ENOUGH_REPLICAS);
    static final List<Errors> DEFAULT_FETCH = List.of(Errors.KAFKA_STORAGE_ERROR);

    private final List<Errors> produce;
    private final List<Errors> fetch;
    private final Interest interest;

    BrokenBroker(List<Errors> produce, List<Errors> fetch) {
        this.produce = produce;
        this.fetch = fetch;
        Interest wanted = produce.isEmpty() ? Interest.NONE : Interest.requests(ApiKeys.PRODUCE);
        this.interest = fetch.isEmpty() ? wanted : wanted.andResponses(ApiKeys.FETCH);
    }

    static BrokenBroker parse(Params params) {
        if (!params.has("errors")) {
            return new BrokenBroker(DEFAULT_PRODUCE, DEFAULT_FETCH);
        }
        Params errors = params.nested("errors");
        List<Errors> produce = errors.errors("produce", ApiKeys.PRODUCE, List.of());
        List<Errors> fetch = errors.errors("fetch", ApiKeys.FETCH, List.of());
        errors.finish();
        if (produce.isEmpty() && fetch.isEmpty()) {
            throw params.invalid("errors", "must name codes for produce, fetch or both");
        }
        return new BrokenBroker(produce, fetch);
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request)) {
            return RequestAction.forward();
        }
        Errors error = PartitionErrors.pick(produce, context);
        return PartitionErrors.failProduce(request, context, error, "chaos: broken broker");
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        return PartitionErrors.failFetch(response, context, PartitionErrors.pick(fetch, context));
    }
}
