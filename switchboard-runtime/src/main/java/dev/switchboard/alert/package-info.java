/**
 * Alerts: what the gateway tells people when something they must act on happens, such as the active cluster's health
 * verdict turning or an automatic failover being armed.
 *
 * <p>Whatever raises one calls {@link dev.switchboard.alert.Alerts#fire} with an {@link dev.switchboard.alert.Alert};
 * {@link dev.switchboard.alert.AlertChannels} writes it to the log, counts it in the metrics and, when a webhook is
 * configured, POSTs it as JSON from a bounded queue ({@link dev.switchboard.alert.Webhook}), so a slow or dead
 * receiver never holds up the caller.
 */
package dev.switchboard.alert;
