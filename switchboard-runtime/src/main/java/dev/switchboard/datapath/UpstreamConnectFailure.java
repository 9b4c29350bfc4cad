package dev.switchboard.datapath;

/**
 * Why an upstream connection never became ready to forward: the broker could not be reached, the TLS handshake
 * failed, or SASL authentication failed. The client connection closes with {@link #cause()} as the metric
 * label and the message as the logged reason.
 */
final class UpstreamConnectFailure extends RuntimeException {

    private final String cause;

    UpstreamConnectFailure(String cause, String reason) {
        super(reason, null, false, false);
        this.cause = cause;
    }

    /** {@code upstream_unreachable}, {@code upstream_tls_failed} or {@code upstream_auth_failed}. */
    String cause() {
        return cause;
    }
}
