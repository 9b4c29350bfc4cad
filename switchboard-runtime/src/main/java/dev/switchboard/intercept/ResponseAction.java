package dev.switchboard.intercept;

import java.time.Duration;
import java.util.Objects;

/**
 * What an interceptor does with a response. A response that waits ({@link Delay}) holds back the responses after it
 * on the same connection, so the client always receives them in the order of its requests.
 */
public sealed interface ResponseAction {

    /** On to the previous interceptor, then the client: as it arrived, or re-encoded if {@code modified}. */
    record Forward(boolean modified) implements ResponseAction {
    }

    /** Never delivered, and neither is anything after it on this connection: the client times out. */
    record Drop() implements ResponseAction {
    }

    /**
     * Closes the connection. {@code cause} is the short label it is counted under in
     * {@code switchboard_connections_closed_total} (lower case and underscores); {@code reason} is logged.
     */
    record Close(String cause, String reason) implements ResponseAction {
        public Close {
            Objects.requireNonNull(reason, "reason");
            if (cause == null || !cause.matches("[a-z][a-z0-9_]{0,63}")) {
                throw new IllegalArgumentException("cause must be a lower-case label such as malformed_request, was " + cause);
            }
        }
    }

    /** Waits without blocking the event loop, then does {@code then}. */
    record Delay(Duration delay, ResponseAction then) implements ResponseAction {
        public Delay {
            Objects.requireNonNull(then, "then");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
        }
    }

    ResponseAction FORWARD = new Forward(false);
    ResponseAction FORWARD_MODIFIED = new Forward(true);
    ResponseAction DROP = new Drop();

    static ResponseAction forward() {
        return FORWARD;
    }

    static ResponseAction forwardModified() {
        return FORWARD_MODIFIED;
    }

    static ResponseAction drop() {
        return DROP;
    }

    /** Closes the connection, counted under cause {@code interceptor_closed}. */
    static ResponseAction close(String reason) {
        return new Close("interceptor_closed", reason);
    }

    static ResponseAction close(String cause, String reason) {
        return new Close(cause, reason);
    }

    static ResponseAction delay(Duration delay, ResponseAction then) {
        return new Delay(delay, then);
    }
}
