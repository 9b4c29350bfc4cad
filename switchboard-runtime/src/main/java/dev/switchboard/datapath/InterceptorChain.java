package dev.switchboard.datapath;

import java.util.List;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.MalformedRequestException;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The interceptors of one connection, in registration order, and the walk of one frame through them. Requests go
 * first to last, responses last to first. An interceptor that throws is reported as an {@link InterceptorFailure}
 * naming it; a request body that does not parse, as the client's {@code bad_request}.
 */
final class InterceptorChain {

    private final Interceptor[] interceptors;
    private final String[] names;

    InterceptorChain(List<InterceptorFactory> factories, ConnectionContext connection) {
        this.interceptors = new Interceptor[factories.size()];
        this.names = new String[factories.size()];
        for (int i = 0; i < interceptors.length; i++) {
            names[i] = factories.get(i).name();
            try {
                interceptors[i] = factories.get(i).create(connection);
            } catch (RuntimeException e) {
                throw new InterceptorFailure(names[i], e);
            }
        }
    }

    /** The hot-path check: whether any interceptor wants to see this request. */
    boolean wantsRequest(ApiKeys api) {
        for (int i = 0; i < interceptors.length; i++) {
            if (interest(i).inRequests(api)) {
                return true;
            }
        }
        return false;
    }

    boolean wantsResponse(ApiKeys api, int frameBytes) {
        for (int i = 0; i < interceptors.length; i++) {
            if (interest(i).inResponses(api, frameBytes)) {
                return true;
            }
        }
        return false;
    }

    private Interest interest(int i) {
        Interest interest;
        try {
            interest = interceptors[i].interest();
        } catch (RuntimeException e) {
            throw new InterceptorFailure(names[i], e);
        }
        if (interest == null) {
            throw new InterceptorFailure(names[i], new NullPointerException("interest() returned null"));
        }
        return interest;
    }

    void clientIdentified(ConnectionContext connection) {
        for (int i = 0; i < interceptors.length; i++) {
            try {
                interceptors[i].clientIdentified(connection);
            } catch (RuntimeException e) {
                throw new InterceptorFailure(names[i], e);
            }
        }
    }

    /**
     * Tells every interceptor the connection closed, even after one threw; the first that threw is reported once all
     * were told.
     */
    void connectionClosed(ConnectionContext connection) {
        InterceptorFailure first = null;
        for (int i = 0; i < interceptors.length; i++) {
            try {
                interceptors[i].connectionClosed(connection);
            } catch (RuntimeException e) {
                first = first == null ? new InterceptorFailure(names[i], e) : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Shows the request to the interceptors from its {@link PendingRequest#nextInterceptor} on. Returns the first
     * action that is not a forward, the next interceptor already set past the one that chose it; or a forward,
     * modified if any interceptor modified it, once every interested interceptor let it pass.
     */
    RequestAction walkRequest(PendingRequest request, ConnectionContext connection) {
        while (request.nextInterceptor < interceptors.length) {
            int i = request.nextInterceptor++;
            if (!interest(i).inRequests(request.apiKey())) {
                continue;
            }
            RequestAction action;
            try {
                action = interceptors[i].onRequest(request, connection);
            } catch (MalformedRequestException e) {
                throw new ProtocolViolation("bad_request", e.getMessage());
            } catch (ProtocolViolation e) {
                throw e; // the client's bytes, found out by the interceptor: the client's fault, not the interceptor's
            } catch (RuntimeException e) {
                throw new InterceptorFailure(names[i], e);
            }
            if (action == null) {
                throw new InterceptorFailure(names[i], new NullPointerException("onRequest returned null"));
            }
            if (!(action instanceof RequestAction.Forward forward)) {
                return action;
            }
            if (forward.modified()) {
                request.markModified();
            }
        }
        return RequestAction.forward();
    }

    /** The name of the interceptor that chose the last action of {@link #walkRequest}. */
    String requestDecider(PendingRequest request) {
        return names[request.nextInterceptor - 1];
    }

    /**
     * Shows a response to the interceptors before {@code from} (exclusive), last to first; see
     * {@link ResponseWalk}.
     */
    ResponseWalk walkResponse(InterceptedResponse response, int from, int frameBytes, ConnectionContext connection) {
        boolean modified = false;
        for (int i = from - 1; i >= 0; i--) {
            if (!interest(i).inResponses(response.apiKey(), frameBytes)) {
                continue;
            }
            ResponseAction action;
            try {
                action = interceptors[i].onResponse(response, connection);
            } catch (RuntimeException e) {
                throw new InterceptorFailure(names[i], e);
            }
            if (action == null) {
                throw new InterceptorFailure(names[i], new NullPointerException("onResponse returned null"));
            }
            if (action instanceof ResponseAction.Forward forward) {
                modified |= forward.modified();
            } else {
                return new ResponseWalk(action, i, names[i], modified);
            }
        }
        return new ResponseWalk(ResponseAction.forward(), 0, null, modified);
    }

    int size() {
        return interceptors.length;
    }

    /**
     * Where a response's walk stopped: at {@code action} chosen by interceptor {@code at} ({@code decider}), or at a
     * forward past them all ({@code at} 0). {@code modified}: whether any interceptor changed it so far.
     */
    record ResponseWalk(ResponseAction action, int at, String decider, boolean modified) {
    }

    /** An interceptor threw: its connection closes, and only that one. */
    static final class InterceptorFailure extends RuntimeException {

        private final String interceptor;

        InterceptorFailure(String interceptor, Throwable cause) {
            super("interceptor " + interceptor + " failed: " + cause, cause);
            this.interceptor = interceptor;
        }

        String interceptor() {
            return interceptor;
        }
    }
}
