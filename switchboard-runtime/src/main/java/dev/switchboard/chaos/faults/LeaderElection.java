package dev.switchboard.chaos.faults;

import java.util.LinkedHashSet;
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
 * {@code leader-election}: the partitions of the topics in scope look leaderless, as while a controller elects new
 * leaders. Produce and fetch fail with NOT_LEADER_OR_FOLLOWER (or {@code errors.produce} / {@code errors.fetch}),
 * and metadata shows those partitions with LEADER_NOT_AVAILABLE and no leader (or {@code errors.metadata}), so clients
 * refresh metadata and retry, as they do in a real election.
 */
public final class LeaderElection implements Fault {

    public static final FaultType TYPE = new FaultType("leader-election",
            "NOT_LEADER_OR_FOLLOWER on Produce and Fetch, and leaderless partitions in Metadata", LeaderElection::parse);

    private static final Interest INTEREST = Interest.requests(ApiKeys.PRODUCE).andResponses(ApiKeys.FETCH, ApiKeys.METADATA);
    private static final List<Errors> ELECTION = List.of(Errors.NOT_LEADER_OR_FOLLOWER, Errors.LEADER_NOT_AVAILABLE,
            Errors.BROKER_NOT_AVAILABLE, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
            Errors.REPLICA_NOT_AVAILABLE);

    private final List<Errors> produce;
    private final List<Errors> fetch;
    private final Errors metadata;

    LeaderElection(List<Errors> produce, List<Errors> fetch, Errors metadata) {
        this.produce = produce;
        this.fetch = fetch;
        this.metadata = metadata;
    }

    static LeaderElection parse(Params params) {
        Params errors = params.nested("errors");
        List<Errors> produce = electionErrors(errors, "produce", ApiKeys.PRODUCE);
        List<Errors> fetch = electionErrors(errors, "fetch", ApiKeys.FETCH);
        List<Errors> metadata = electionErrors(errors, "metadata", ApiKeys.METADATA);
        errors.finish();
        return new LeaderElection(produce.isEmpty() ? List.of(Errors.NOT_LEADER_OR_FOLLOWER) : produce,
                fetch.isEmpty() ? List.of(Errors.NOT_LEADER_OR_FOLLOWER) : fetch,
                metadata.isEmpty() ? Errors.LEADER_NOT_AVAILABLE : metadata.get(0));
    }

    /** Only the errors of an election are accepted: the others belong to {@code broken-broker}. */
    private static List<Errors> electionErrors(Params errors, String key, ApiKeys api) {
        List<Errors> chosen = errors.errors(key, api, List.of());
        for (Errors error : chosen) {
            if (!ELECTION.contains(error)) {
                throw errors.invalid(key, error.name() + " is not a leader-election error; use one of " + new LinkedHashSet<>(ELECTION) + ", or broken-broker for other codes");
            }
        }
        return chosen;
    }

    @Override
    public Interest interest() {
        return INTEREST;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        if (!context.groupInScope(request)) {
            return RequestAction.forward();
        }
        return PartitionErrors.failProduce(request, context, PartitionErrors.pick(produce, context), "chaos: leader election");
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        if (response.apiKey() == ApiKeys.METADATA) {
            return PartitionErrors.leaderlessMetadata(response, context, metadata);
        }
        return PartitionErrors.failFetch(response, context, PartitionErrors.pick(fetch, context));
    }
}
