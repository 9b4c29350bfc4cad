/**
 * Failover: which cluster serves clients, and how every gateway instance comes to agree on it.
 *
 * <p>{@link dev.switchboard.failover.SwitchStateStore} keeps the {@link dev.switchboard.failover.SwitchState}
 * in a compacted topic on every upstream cluster. Its epoch only ever increases, and each instance follows the
 * highest epoch it can read on any cluster, so a switch written while one cluster is down still wins when
 * that cluster returns.
 *
 * <p>What a switch asks of each client connection is done by interceptors: {@link
 * dev.switchboard.failover.ProduceHold} (a planned switchover's hold), {@link dev.switchboard.failover.FetchFence}
 * (consumers that have not rejoined since the switch) and {@link dev.switchboard.failover.PinnedTopics} (data
 * residency); idempotent producers keep their identity through {@code dev.switchboard.producerids}. With no switch in
 * progress they are interested in nothing a client sends often.
 */
package dev.switchboard.failover;
