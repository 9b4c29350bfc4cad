package dev.switchboard.bench;

/**
 * How much the relay benchmark measures.
 *
 * @param rounds     rounds after the warm-up; the order of direct, gateway and HAProxy rotates each round
 * @param records    records per producer and consumer run
 * @param recordSize bytes per record
 * @param strictRequests run the gateway with {@code listener.strictRequests}, to measure what parsing every request
 *                   costs
 */
public record RelayOptions(int rounds, long records, int recordSize, boolean strictRequests) {

    public RelayOptions(int rounds, long records, int recordSize) {
        this(rounds, records, recordSize, false);
    }

    public RelayOptions {
        if (rounds < 1 || records < 1000 || recordSize < 16) {
            throw new IllegalArgumentException("relay bench options out of range: " + this);
        }
    }
}
