package dev.switchboard.intercept;

/** A request body that kafka-clients' generated classes cannot read at the version its header names. */
public final class MalformedRequestException extends RuntimeException {

    public MalformedRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
