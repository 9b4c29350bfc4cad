package dev.switchboard.health;

/**
 * One thing a health check found wrong.
 *
 * @param check    which check: {@code brokers-reachable}, {@code controller}, {@code partition-leaders},
 *                 {@code produce-errors}, {@code produce-latency} or {@code chaos-outage}
 * @param health   what it makes of the cluster
 * @param evidence what was seen, in a sentence
 */
public record Finding(String check, Health health, String evidence) {
}
