/**
 * Recovery after a cluster switch, application by application.
 *
 * <p>An application is a client id plus the principal it authenticated as. Before a switch, {@link
 * dev.switchboard.failover.recovery.RecoveryTracker} learns what each application does (produce, fetch). After
 * one, it records when each reconnected and first produced and fetched on the new cluster, calls an
 * application back once it has done again everything it did before, and measures the recovery time (RTO) until
 * every Wave 1 application is back. The {@link dev.switchboard.failover.recovery.RecoverySignals} interceptor
 * holds one {@link dev.switchboard.failover.recovery.ApplicationActivity} per connection and inspects a produce or
 * fetch response only while its application still waits for one; the {@link dev.switchboard.failover.recovery.RecoveryReport} is built only when asked for, and
 * reports of several gateway instances merge into one.
 */
package dev.switchboard.failover.recovery;
