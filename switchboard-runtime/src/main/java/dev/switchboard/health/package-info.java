/**
 * Health: whether the active cluster serves clients, judged continuously, and on what evidence.
 *
 * <p>{@link dev.switchboard.health.HealthJudge} probes the active cluster every check interval (does any broker
 * answer, do they name a controller, do the partitions clients produce to have leaders) and reads what its brokers
 * answered to clients: the share of produce partition responses with an error, counted by {@link
 * dev.switchboard.health.BrokerErrors}, and the brokers' produce latency. Both are taken where the gateway meets the
 * cluster, behind every interceptor, so what chaos rules do to clients never counts against the cluster. The
 * {@link dev.switchboard.health.Verdict} and its findings show in the status, readiness and metrics; a turn of the
 * verdict raises an alert.
 */
package dev.switchboard.health;
