package dev.switchboard.datapath;

/**
 * Why an upstream connection never became ready to forward. The client connection closes with {@link #cause()}
 * as the metric label and the message as the logged reason.
 */
final class UpstreamConnectFailure extends RuntimeException {

    private final String cause;

    UpstreamConnectFailure(String cause, String reason) {
        super(reason, null, false, false);
        this.cause = cause;
    }

    /** A short label, such as {@code upstream_unreachable}. */
    String cause() {
        return cause;
    }
}
