package dev.switchboard.datapath;

/** A client or broker broke the Kafka protocol. The connection it came on is closed with this as the reason. */
public final class ProtocolViolation extends RuntimeException {

    public ProtocolViolation(String reason) {
        super(reason, null, false, false);
    }
}
