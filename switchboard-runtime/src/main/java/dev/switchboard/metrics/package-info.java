/**
 * The gateway's Prometheus metrics. Names and labels are part of the public interface and are listed in
 * docs/reference.md.
 */
package dev.switchboard.metrics;
