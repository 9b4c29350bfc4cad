package dev.switchboard.bench;

/**
 * How much the relay benchmark measures.
 *
 * @param rounds     rounds after the warm-up; the order of direct, gateway and HAProxy rotates each round
 * @param records    records per producer and consumer run
 * @param recordSize bytes per record
 */
public record RelayOptions(int rounds, long records, int recordSize) {

    public RelayOptions {
        if (rounds < 1 || records < 1000 || recordSize < 16) {
            throw new IllegalArgumentException("relay bench options out of range: " + this);
        }
    }
}
