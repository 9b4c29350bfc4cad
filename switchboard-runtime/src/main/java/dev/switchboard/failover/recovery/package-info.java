/**
 * Recovery after a cluster switch, application by application.
 *
 * <p>An application is a client id plus the principal it authenticated as. Before a switch, {@link
 * dev.switchboard.failover.recovery.RecoveryTracker} learns what each application does (produce, fetch, commit
 * transactions) and counts its open connections. At a switch, the applications connected then, or active within a
 * short window before it, are the ones that must come back; the others are listed as not running, and those first
 * seen after it as new. It records when each reconnected and when each of its roles first succeeded again, and how
 * often each failed before, calls an application back once every role it had has succeeded again, and measures the
 * recovery time (RTO) until every Wave 1 application that was running is back. The {@link
 * dev.switchboard.failover.recovery.RecoverySignals} interceptor opens one {@link
 * dev.switchboard.failover.recovery.ApplicationActivity} per connection once a request of it is answered, and inspects
 * a produce, fetch or commit response only while its application still waits for one. What is tracked is bounded (age
 * out and a cap, with a metric for what is dropped); the {@link dev.switchboard.failover.recovery.RecoveryReport} is
 * built only when asked for, and reports of several gateway instances merge into one.
 */
package dev.switchboard.failover.recovery;
