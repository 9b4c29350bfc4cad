/**
 * Failover: which cluster serves clients, and how every gateway instance comes to agree on it.
 *
 * <p>{@link dev.switchboard.failover.SwitchStateStore} keeps the {@link dev.switchboard.failover.SwitchState}
 * in a compacted topic on every upstream cluster. Its epoch only ever increases, and each instance follows the
 * highest epoch it can read on any cluster, so a switch written while one cluster is down still wins when
 * that cluster returns.
 */
package dev.switchboard.failover;
