/**
 * The audit trail of admin actions.
 *
 * <p>{@link dev.switchboard.audit.AuditLog} appends every {@link dev.switchboard.audit.AuditEvent} (who, when,
 * what, with what, how it ended) as a JSON line to a file that is never truncated, logs it, and counts it in
 * {@code switchboard_admin_actions_total}. A failed write never fails the action it records; it is logged and
 * counted in {@code switchboard_audit_write_failures_total}.
 */
package dev.switchboard.audit;
