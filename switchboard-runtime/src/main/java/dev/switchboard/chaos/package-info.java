/**
 * Chaos rules: scoped, timed faults that clients feel on the Kafka wire, so a drill needs nobody to touch a broker.
 *
 * <p>A {@link dev.switchboard.chaos.FaultRule} is read from one JSON/YAML shape by {@link dev.switchboard.chaos.RuleParser};
 * {@link dev.switchboard.chaos.ChaosRules} keeps the rules in force, shares every change with the other instances and
 * expires rules; {@link dev.switchboard.chaos.ChaosInterceptor} is the one interceptor that applies them, and does
 * nothing for a connection no rule can reach. Each fault type is a {@link dev.switchboard.chaos.Fault} in
 * {@code chaos.faults}.
 */
package dev.switchboard.chaos;
