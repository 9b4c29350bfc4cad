package dev.switchboard.intercept;

/**
 * One feature's view of one client connection: the requests it wants to see on their way to the cluster, and the
 * responses on their way back.
 *
 * <p>Requests pass the interceptors in the order they were registered; responses pass them in the reverse order,
 * so the first interceptor is the one closest to the client. Every method runs on the connection's event loop, so
 * an interceptor's own per-connection state needs no locks; it must never block that thread (use
 * {@link RequestAction#delay} or {@link RequestAction#later} to wait).
 *
 * <p>A method that throws closes this connection, and only this one, with cause {@code interceptor_failed}.
 */
public interface Interceptor {

    /**
     * What this interceptor wants to see now. Asked for every frame of the connection, so it must be cheap: return
     * a constant {@link Interest}, chosen by a few field reads. {@link Interest#NONE} costs nothing.
     */
    Interest interest();

    /**
     * The client's identity became known or changed: its first request arrived, a request carried another client id,
     * or the connection moved to another cluster. Called before that request is shown to any interceptor.
     */
    default void clientIdentified(ConnectionContext connection) {
    }

    /**
     * The connection closed, whatever the cause: called once, last, so that what this interceptor counted for it (an
     * application's open connections, say) can be let go. The connection is closed already, so a throw only counts
     * as this interceptor's failure.
     */
    default void connectionClosed(ConnectionContext connection) {
    }

    /** A request whose API key is in {@link Interest#requests()}. */
    default RequestAction onRequest(InterceptedRequest request, ConnectionContext connection) {
        return RequestAction.forward();
    }

    /** A response whose API key is in {@link Interest#responses()}, its broker addresses already rewritten. */
    default ResponseAction onResponse(InterceptedResponse response, ConnectionContext connection) {
        return ResponseAction.forward();
    }
}
