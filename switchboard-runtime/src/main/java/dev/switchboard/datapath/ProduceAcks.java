package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import org.apache.kafka.common.utils.ByteUtils;

/**
 * Reads the {@code acks} of a Produce request without decoding it. The data path must know whether a response will
 * come for every Produce it forwards, and decoding the whole request (topics, partitions, record views) for one
 * field was most of the gateway's own CPU on the produce side. {@code acks} follows the one field before it,
 * {@code transactional_id}, whose length is read with kafka-clients' varint reader; the property test
 * {@code ProduceAcksTest} holds this against the generated {@code ProduceRequestData} for every version.
 */
final class ProduceAcks {

    private static final short FIRST_VERSION_WITH_TRANSACTIONAL_ID = 3;
    private static final short FIRST_FLEXIBLE_VERSION = 9;

    private ProduceAcks() {
    }

    /** @param body the request body, after the header; its position is not moved */
    static short peek(ByteBuffer body, short version) {
        ByteBuffer in = body.duplicate();
        try {
            if (version >= FIRST_FLEXIBLE_VERSION) {
                int lengthPlusOne = ByteUtils.readUnsignedVarint(in);
                in.position(in.position() + Math.max(0, lengthPlusOne - 1));
            } else if (version >= FIRST_VERSION_WITH_TRANSACTIONAL_ID) {
                short length = in.getShort();
                in.position(in.position() + Math.max(0, length));
            }
            return in.getShort();
        } catch (RuntimeException e) {
            throw new ProtocolViolation("bad_request", "unreadable Produce v" + version + " request: no acks field");
        }
    }
}
