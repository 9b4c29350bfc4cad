package dev.switchboard.interceptors;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.MalformedRequestException;
import dev.switchboard.intercept.RequestAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code listener.strictRequests}: every request body is parsed with kafka-clients' generated class for its API and
 * version before it is forwarded. A body that does not parse, or that has bytes left over, closes the client's
 * connection with cause {@code malformed_request}, so garbage behind a valid header never reaches a broker. Costs
 * one decode of every request, records excepted (they stay views of the frame); BENCHMARKS.md has the figure.
 */
public final class StrictRequests implements InterceptorFactory, Interceptor {

    private static final Interest EVERY_REQUEST = Interest.allRequests();

    private final MeterRegistry registry;

    public StrictRequests(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "strict-requests";
    }

    /** Keeps no per-connection state, so every connection shares this one. */
    @Override
    public Interceptor create(ConnectionContext connection) {
        return this;
    }

    @Override
    public Interest interest() {
        return EVERY_REQUEST;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
        String problem;
        try {
            int unread = request.unreadBytes();
            if (unread == 0) {
                return RequestAction.forward();
            }
            problem = request.apiKey().name + " v" + request.apiVersion() + " request has " + unread
                    + " bytes after its body";
        } catch (MalformedRequestException e) {
            problem = e.getMessage();
        }
        Counter.builder("switchboard.requests.malformed").description("Requests refused by strict parsing, by API")
                .tag("api", request.apiKey().name).register(registry).increment();
        return RequestAction.close("malformed_request", problem);
    }
}
