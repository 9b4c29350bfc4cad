package dev.switchboard.chaos;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A rule as {@code GET /api/v1/chaos/rules} shows it.
 *
 * @param state     {@code scheduled} before its start, {@code active} after
 * @param expiresAt when it stops by itself, or {@code unlimited}
 * @param maxHits   the most requests it affects, or null for no limit
 * @param matched   requests in its scope seen by this instance
 * @param affected  of those, the ones the fault acted on
 */
public record RuleStatus(String name, String type, String state, double rate, Map<String, String> scope, JsonNode params,
                         String start, String duration, String expiresAt, Long maxHits, long seed, long matched,
                         long affected, String addedAt, String addedBy) {
}
