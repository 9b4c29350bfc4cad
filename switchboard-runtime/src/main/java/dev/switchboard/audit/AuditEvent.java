package dev.switchboard.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One admin action: who asked for what, when, and how it ended.
 *
 * @param at      when it was recorded
 * @param actor   who asked, e.g. the principal or, while the admin API has no authentication, the remote address
 * @param action  what was asked, e.g. {@code switch}; a metric tag, so a small fixed set of names
 * @param request what was asked with (keys in the caller's order); never secrets
 * @param result  how it ended: {@code accepted}, {@code succeeded}, {@code rejected} or {@code failed}
 * @param message why, in words; null when the result says it all
 */
public record AuditEvent(Instant at, String actor, String action, Map<String, Object> request, String result,
                         String message) {

    public static final String ACCEPTED = "accepted";
    public static final String SUCCEEDED = "succeeded";
    public static final String REJECTED = "rejected";
    public static final String FAILED = "failed";

    public AuditEvent {
        requireText(actor, "actor");
        requireText(action, "action");
        requireText(result, "result");
        if (at == null) {
            throw new IllegalArgumentException("at is required");
        }
        // Not Map.copyOf: a request may carry null values, and its order reads better kept.
        request = request == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(request));
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
