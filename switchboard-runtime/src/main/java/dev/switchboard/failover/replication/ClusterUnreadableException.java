package dev.switchboard.failover.replication;

/** A cluster did not answer, or answered with an error, within the monitor's bounded wait. */
final class ClusterUnreadableException extends RuntimeException {

    ClusterUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
