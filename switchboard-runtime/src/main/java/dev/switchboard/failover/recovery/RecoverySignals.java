package dev.switchboard.failover.recovery;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Tells the {@link RecoveryTracker} what each application does: that it connected, and its first produce and fetch
 * responses without errors, which teach its roles and, after a switch, show it is back. Produce and fetch responses
 * are inspected only while its application still waits for one; otherwise they stream past.
 */
public final class RecoverySignals implements InterceptorFactory {

    private static final Interest PRODUCE = Interest.responses(ApiKeys.PRODUCE);
    private static final Interest FETCH = Interest.responses(ApiKeys.FETCH);
    private static final Interest BOTH = PRODUCE.andResponses(ApiKeys.FETCH);

    private final RecoveryTracker tracker;

    public RecoverySignals(RecoveryTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public String name() {
        return "recovery-signals";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Interceptor() {
            private ApplicationActivity application;

            @Override
            public Interest interest() {
                ApplicationActivity current = application;
                if (current == null) {
                    return Interest.NONE;
                }
                boolean produce = current.awaitingProduce();
                boolean fetch = current.awaitingFetch();
                return produce ? (fetch ? BOTH : PRODUCE) : (fetch ? FETCH : Interest.NONE);
            }

            @Override
            public void clientIdentified(ConnectionContext context) {
                application = tracker.application(context.clientId(), context.principal().orElse(null));
                application.connected();
            }

            @Override
            public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                if (response.message() instanceof ProduceResponseData produce && succeeded(produce)) {
                    application.produced();
                } else if (response.message() instanceof FetchResponseData fetch && succeeded(fetch)) {
                    application.fetched();
                }
                return ResponseAction.forward();
            }
        };
    }

    private static boolean succeeded(ProduceResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream()).allMatch(p -> p.errorCode() == 0);
    }

    private static boolean succeeded(FetchResponseData response) {
        return response.errorCode() == 0
                && response.responses().stream().flatMap(t -> t.partitions().stream()).allMatch(p -> p.errorCode() == 0);
    }
}
