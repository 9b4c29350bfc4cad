package dev.switchboard.chaos;

import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One chaos rule: a named fault of one type, for the requests in its scope, at a rate, for its lifetime.
 *
 * @param rate       the percentage (0 to 100) of matched requests the fault acts on
 * @param seed       decides which matched requests are hit: the same seed hits the same ones in the same order
 * @param definition the rule as stored and shared: what was given, with its start, duration and seed made explicit,
 *                   so every instance and every restart derives the same lifetime and hits
 */
public record FaultRule(String name, FaultType type, double rate, RuleScope scope, Lifetime lifetime, long seed,
                        JsonNode params, Fault fault, ObjectNode definition, Instant addedAt, String addedBy) {

    public FaultRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(fault, "fault");
    }
}
