package dev.switchboard.intercept;

/**
 * Makes the interceptor of one feature for each client connection. Registered once per gateway; the order of
 * registration is the order in which requests meet the interceptors. An interceptor that keeps no state per
 * connection can be its own factory and return itself: every call tells it which connection it is on.
 */
public interface InterceptorFactory {

    /** A short name for logs and metrics, such as {@code produce-hold}. */
    String name();

    /** Called when a client connects, on its event loop. */
    Interceptor create(ConnectionContext connection);
}
