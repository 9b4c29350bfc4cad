package dev.switchboard.chaos;

import java.util.Optional;

import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;

/**
 * What one fault type does to the frames of a connection in a rule's scope. Built once per rule from its params,
 * shared by every connection, so it keeps per-connection state only through {@link FaultContext#connectionState}.
 *
 * <p>A fault calls {@link FaultContext#hit()} once for each request or response in its scope; it acts only when that
 * says so, and returns {@link RequestAction#forward()} or {@link ResponseAction#forward()} to leave a frame alone.
 */
public interface Fault {

    /** The frames this fault looks at. Constant for the rule's life. */
    Interest interest();

    default RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        return RequestAction.forward();
    }

    default ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        return ResponseAction.forward();
    }

    /**
     * For a fault that takes connections away: the cause label under which the connections already open in the rule's
     * scope are closed once the rule is live (see {@link OpenConnections}). Empty for the faults that act on frames only.
     */
    default Optional<String> closesOpenConnections() {
        return Optional.empty();
    }

    /**
     * Whether a live rule of this fault, scoped to a whole cluster, makes the gateway judge that cluster down, as if its
     * brokers had failed. Only an outage that says so ({@code triggersFailover}) does.
     */
    default boolean simulatesClusterDown() {
        return false;
    }
}
