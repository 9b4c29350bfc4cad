package dev.switchboard.failover.recovery;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Tells the {@link RecoveryTracker} what each application does: that a connection of it opened and closed, and its
 * produce, fetch and commit responses, which teach its roles and, after a switch, show whether it is back.
 *
 * <p>An application is tracked only once a request of its connection has been answered, so a client id read from a
 * frame the gateway or the broker then refused (a malformed body, an unknown version) is never recorded: until then
 * the connection's responses are inspected, all of them, for that first answer. Afterwards produce, fetch and EndTxn
 * traffic is inspected only while its application still waits for one; otherwise it streams past.
 */
public final class RecoverySignals implements InterceptorFactory {

    private static final int PRODUCE = 1;
    private static final int FETCH = 2;
    private static final int COMMIT = 4;
    /** The interest for each combination of the bits above. */
    private static final Interest[] INTERESTS = new Interest[8];
    private static final Interest FIRST_ANSWER = Interest.responses(ApiKeys.values());
    private static final int NO_COMMIT = -1;

    static {
        for (int bits = 0; bits < INTERESTS.length; bits++) {
            Interest interest = Interest.NONE;
            if ((bits & PRODUCE) != 0) {
                interest = interest.andResponses(ApiKeys.PRODUCE);
            }
            if ((bits & FETCH) != 0) {
                interest = interest.andResponses(ApiKeys.FETCH);
            }
            if ((bits & COMMIT) != 0) {
                interest = interest.andRequests(ApiKeys.END_TXN).andResponses(ApiKeys.END_TXN);
            }
            INTERESTS[bits] = interest;
        }
    }

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
            /** Who the client says it is, until a request of it is answered; null once it is. */
            private ApplicationKey identified;
            /** The application this connection counts for; null until its first answer. */
            private ApplicationActivity application;
            /** The correlation id of the EndTxn commit in flight, if any. */
            private int commitCorrelationId = NO_COMMIT;

            @Override
            public Interest interest() {
                if (identified != null) {
                    return FIRST_ANSWER;
                }
                ApplicationActivity current = application;
                if (current == null) {
                    return Interest.NONE;
                }
                int bits = (current.awaitingProduce() ? PRODUCE : 0) | (current.awaitingFetch() ? FETCH : 0)
                        | (current.awaitingCommit() ? COMMIT : 0);
                return INTERESTS[bits];
            }

            @Override
            public void clientIdentified(ConnectionContext context) {
                identified = new ApplicationKey(context.clientId(), context.principal().orElse(null));
            }

            @Override
            public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                if (request.message() instanceof EndTxnRequestData endTxn && endTxn.committed()) {
                    commitCorrelationId = request.header().correlationId();
                }
                return RequestAction.forward();
            }

            @Override
            public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                if (identified != null) {
                    answered(identified);
                    identified = null;
                }
                if (application == null || !application.countsAnswersFrom(context.servingCluster())) {
                    return ResponseAction.forward();
                }
                if (response.message() instanceof ProduceResponseData produce) {
                    Errors error = firstError(produce);
                    if (error == Errors.NONE) {
                        application.produced();
                    } else {
                        application.failed(Role.PRODUCER, error.name());
                    }
                } else if (response.message() instanceof FetchResponseData fetch) {
                    fetched(fetch);
                } else if (response.message() instanceof EndTxnResponseData endTxn
                        && response.correlationId() == commitCorrelationId) {
                    commitCorrelationId = NO_COMMIT;
                    if (endTxn.errorCode() == Errors.NONE.code()) {
                        application.committed();
                    } else {
                        application.failed(Role.TRANSACTIONAL, Errors.forCode(endTxn.errorCode()).name());
                    }
                }
                return ResponseAction.forward();
            }

            @Override
            public void connectionClosed(ConnectionContext context) {
                if (application != null) {
                    application.closed();
                    application = null;
                }
            }

            /**
             * The first answer since the client said who it is: on a new connection, or after a move to the new
             * cluster, the application's return; with another client id, the connection counts for another one.
             */
            private void answered(ApplicationKey key) {
                if (application == null || !application.key().equals(key)) {
                    if (application != null) {
                        application.closed();
                    }
                    application = tracker.opened(key.clientId(), key.principal());
                }
                application.connected();
            }

            private void fetched(FetchResponseData fetch) {
                if (fetch.errorCode() != Errors.NONE.code()) {
                    application.failed(Role.CONSUMER, Errors.forCode(fetch.errorCode()).name());
                    return;
                }
                boolean anyPartition = false;
                for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
                    for (FetchResponseData.PartitionData partition : topic.partitions()) {
                        if (partition.errorCode() != Errors.NONE.code()) {
                            application.failed(Role.CONSUMER, Errors.forCode(partition.errorCode()).name());
                            return;
                        }
                        anyPartition = true;
                    }
                }
                // An answer naming no partition in no session shows nothing: the fetch fence gives one to a consumer that
                // has not rejoined its group yet. A broker's incremental answer (a session id) leaves out the partitions
                // without news, so an empty one there is a consumer that is caught up.
                if (anyPartition || fetch.sessionId() != 0) {
                    application.fetched();
                }
            }
        };
    }

    private static Errors firstError(ProduceResponseData response) {
        for (ProduceResponseData.TopicProduceResponse topic : response.responses()) {
            for (ProduceResponseData.PartitionProduceResponse partition : topic.partitionResponses()) {
                if (partition.errorCode() != Errors.NONE.code()) {
                    return Errors.forCode(partition.errorCode());
                }
            }
        }
        return Errors.NONE;
    }
}
