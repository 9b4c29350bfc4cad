package dev.switchboard.intercept;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * What an interceptor does with a request. Requests of one connection are handled one at a time: while one waits
 * ({@link Delay}, {@link Later}), the requests after it wait too and the client is not read.
 */
public sealed interface RequestAction {

    /** On to the next interceptor, then the cluster: as the bytes arrived, or re-encoded if {@code modified}. */
    record Forward(boolean modified) implements RequestAction {
    }

    /**
     * Answered by the gateway with this response body, at the request's version. It reaches the client after the
     * responses to every request before it. The interceptors before this one do not see it.
     */
    record Answer(ApiMessage response) implements RequestAction {
        public Answer {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * Answered by the gateway with the error response a broker would send for this API and version: the error on
     * every partition, group or resource of the request where the API has them, else at the top.
     */
    record AnswerError(Errors error, String message) implements RequestAction {
        public AnswerError {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Never answered, as by a broker that stopped responding: the client times out and reconnects. To keep response
     * order, nothing after it on this connection is answered either, and nothing after it is forwarded.
     */
    record Drop() implements RequestAction {
    }

    /**
     * Closes the connection. {@code cause} is the short label it is counted under in
     * {@code switchboard_connections_closed_total} (lower case and underscores); {@code reason} is logged.
     */
    record Close(String cause, String reason) implements RequestAction {
        public Close {
            Objects.requireNonNull(reason, "reason");
            if (cause == null || !cause.matches("[a-z][a-z0-9_]{0,63}")) {
                throw new IllegalArgumentException("cause must be a lower-case label such as malformed_request, was " + cause);
            }
        }
    }

    /** Waits without blocking the event loop, then does {@code then}. */
    record Delay(Duration delay, RequestAction then) implements RequestAction {
        public Delay {
            Objects.requireNonNull(then, "then");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
        }
    }

    /** Does what {@code action} completes with, on the connection's event loop; a failed stage closes the connection. */
    record Later(CompletionStage<RequestAction> action) implements RequestAction {
        public Later {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * Waits for {@code ready} without blocking the event loop, whatever its outcome, then shows the request to the
     * same interceptor again, on the connection's event loop: for an interceptor that must fetch something before it
     * can decide, and needs the request's body, valid only on that thread, to decide.
     */
    record AskAgain(CompletionStage<?> ready) implements RequestAction {
        public AskAgain {
            Objects.requireNonNull(ready, "ready");
        }
    }

    RequestAction FORWARD = new Forward(false);
    RequestAction FORWARD_MODIFIED = new Forward(true);
    RequestAction DROP = new Drop();

    static RequestAction forward() {
        return FORWARD;
    }

    static RequestAction forwardModified() {
        return FORWARD_MODIFIED;
    }

    static RequestAction answer(ApiMessage response) {
        return new Answer(response);
    }

    static RequestAction answerError(Errors error, String message) {
        return new AnswerError(error, message);
    }

    static RequestAction drop() {
        return DROP;
    }

    /** Closes the connection, counted under cause {@code interceptor_closed}. */
    static RequestAction close(String reason) {
        return new Close("interceptor_closed", reason);
    }

    static RequestAction close(String cause, String reason) {
        return new Close(cause, reason);
    }

    static RequestAction delay(Duration delay, RequestAction then) {
        return new Delay(delay, then);
    }

    static RequestAction later(CompletionStage<RequestAction> action) {
        return new Later(action);
    }

    static RequestAction askAgainWhen(CompletionStage<?> ready) {
        return new AskAgain(ready);
    }
}
