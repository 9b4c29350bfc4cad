package dev.switchboard.failover;

import java.time.Duration;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer fence after a switch (see {@link SwitchFence}): learns from JoinGroup and ConsumerGroupHeartbeat which
 * clients are group members and when they rejoin, and answers the fetches of a member that has not rejoined since the
 * switch with no data, after the wait the client asked of the broker (at most half a second), as a broker with
 * nothing new would. Fetches are seen only by connections of fenced clients.
 */
public final class FetchFence implements InterceptorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(FetchFence.class);

    /** The longest a fenced consumer's fetch waits for its empty answer, as a broker would wait for data. */
    static final long MAX_FENCED_FETCH_WAIT_MILLIS = 500;

    private static final Interest GROUPS = Interest.requests(ApiKeys.JOIN_GROUP, ApiKeys.CONSUMER_GROUP_HEARTBEAT);
    private static final Interest GROUPS_AND_FETCH = GROUPS.andRequests(ApiKeys.FETCH);

    private final SwitchFence fence;

    public FetchFence(SwitchFence fence) {
        this.fence = fence;
    }

    @Override
    public String name() {
        return "fetch-fence";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Interceptor() {
            private SwitchFence.ClientKey client;

            @Override
            public Interest interest() {
                return client != null && fence.fencesFetch(client) ? GROUPS_AND_FETCH : GROUPS;
            }

            @Override
            public void clientIdentified(ConnectionContext context) {
                String host = context.clientAddress() == null ? "?" : context.clientAddress().getAddress().getHostAddress();
                client = new SwitchFence.ClientKey(context.clientId(), host);
            }

            @Override
            public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                if (request.apiKey() == ApiKeys.JOIN_GROUP) {
                    fence.groupJoined(client, true);
                } else if (request.apiKey() == ApiKeys.CONSUMER_GROUP_HEARTBEAT) {
                    // A member epoch of 0 joins afresh (KIP-848).
                    fence.groupJoined(client, ((ConsumerGroupHeartbeatRequestData) request.message()).memberEpoch() == 0);
                } else if (fence.fencesFetch(client)) {
                    return emptyFetch((FetchRequestData) request.message(), context);
                }
                return RequestAction.forward();
            }
        };
    }

    /**
     * No data and no error, as from a broker with nothing new. The client fetches again; the answer carries no
     * session, so its next fetch is a full one, and may hold no partitions. No partition and no session is also how
     * the recovery signals tell it from a broker's answer, which does not show the consumer is back.
     */
    private static RequestAction emptyFetch(FetchRequestData fetch, ConnectionContext context) {
        LOG.debug("Fetch of clientId={} answered empty: it has not rejoined its group since the switch", context.clientId());
        long waitMillis = Math.max(0, Math.min(fetch.maxWaitMs(), MAX_FENCED_FETCH_WAIT_MILLIS));
        return RequestAction.delay(Duration.ofMillis(waitMillis),
                RequestAction.answer(new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0)));
    }
}
