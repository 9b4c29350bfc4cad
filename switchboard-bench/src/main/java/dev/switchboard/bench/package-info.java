/**
 * Benchmarks: what the gateway costs against connecting to Kafka directly, and against a plain TCP relay.
 *
 * <p>Brokers run in this JVM (the test kit); the gateway runs as its own process so its CPU time and heap are
 * its own; every load generator runs as its own JVM too: Apache Kafka's ProducerPerformance and
 * ConsumerPerformance, and {@link dev.switchboard.bench.FixedRateLatency} for end-to-end latency at a fixed
 * rate. Each figure is measured directly and through the gateway, alternating which goes first, several times;
 * the table reports medians and the ratio gateway/direct.
 *
 * <p>{@link dev.switchboard.bench.RelayBenchmark} puts the gateway's CPU seconds per GB relayed beside HAProxy's in
 * TCP mode ({@link dev.switchboard.bench.HaproxyProcess}), the floor of relaying the same bytes, in the same run.
 */
package dev.switchboard.bench;
