package dev.switchboard.datapath;

/**
 * A client or broker broke the Kafka protocol. The connection it came on is closed, with {@link #cause()} as
 * the metric label and the message as the logged reason.
 */
public final class ProtocolViolation extends RuntimeException {

    private final String cause;

    public ProtocolViolation(String cause, String reason) {
        super(reason, null, false, false);
        this.cause = cause;
    }

    /** A short label: {@code unknown_api_key}, {@code version_not_negotiated}, {@code truncated_frame}, ... */
    public String cause() {
        return cause;
    }
}
