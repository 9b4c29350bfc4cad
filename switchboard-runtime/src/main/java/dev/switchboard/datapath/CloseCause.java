package dev.switchboard.datapath;

import java.io.IOException;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Why a connection closed, as the short label it is counted under in {@code switchboard_connections_closed_total}
 * and as the sentence logged.
 */
final class CloseCause {

    private CloseCause() {
    }

    static String label(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof TooLongFrameException) {
            return "frame_too_large";
        }
        if (root instanceof CorruptedFrameException) {
            return "corrupt_frame";
        }
        if (root instanceof ProtocolViolation violation) {
            return violation.cause();
        }
        if (root instanceof InterceptorChain.InterceptorFailure) {
            return "interceptor_failed";
        }
        if (root instanceof IOException) {
            return "client_io_error";
        }
        return "internal_error";
    }

    static String describe(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String message = root.getMessage();
        if (root instanceof TooLongFrameException) {
            return "frame exceeds listener.maxFrameBytes: " + message;
        }
        return root instanceof ProtocolViolation || root instanceof InterceptorChain.InterceptorFailure ? message
                : root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
