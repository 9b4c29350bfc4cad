/**
 * The fault types of chaos rules, one class each, seen by the data path only through {@link dev.switchboard.chaos.Fault}.
 * {@link dev.switchboard.chaos.faults.FaultTypes} lists them.
 */
package dev.switchboard.chaos.faults;
