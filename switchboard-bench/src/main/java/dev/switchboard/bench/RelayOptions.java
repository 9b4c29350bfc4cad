package dev.switchboard.bench;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How much the relay benchmark measures.
 *
 * @param rounds     rounds after the warm-up; the order of direct, gateway and HAProxy rotates each round
 * @param records    records per producer and consumer run
 * @param recordSize bytes per record
 * @param strictRequests run the gateway with {@code listener.strictRequests}, to measure what parsing every request
 *                   costs
 * @param chaosRules chaos rules the gateway runs with from its start (see {@link ChaosRuleArguments}), to measure
 *                   what rules in force cost
 * @param rewrittenProducerIds run the gateway as after a switch, rewriting the producer fields of every idempotent
 *                   batch (see {@link GatewayProcess}), to measure what virtual producer ids cost then
 */
public record RelayOptions(int rounds, long records, int recordSize, boolean strictRequests, List<JsonNode> chaosRules,
                           boolean rewrittenProducerIds) {

    public RelayOptions(int rounds, long records, int recordSize) {
        this(rounds, records, recordSize, false, List.of(), false);
    }

    public RelayOptions {
        if (rounds < 1 || records < 1000 || recordSize < 16) {
            throw new IllegalArgumentException("relay bench options out of range: " + this);
        }
        chaosRules = chaosRules == null ? List.of() : List.copyOf(chaosRules);
    }
}
