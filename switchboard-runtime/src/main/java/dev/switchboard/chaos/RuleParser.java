package dev.switchboard.chaos;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.Durations;

/**
 * Reads a rule in its one JSON/YAML shape, the same from the config file, the REST API and the CLI:
 *
 * <pre>
 * {"name": "orders-dup", "type": "duplicates", "rate": 100, "scope": {"topic": "orders.*"}, "duration": "60s",
 *  "start": "2026-12-02T10:00:00Z", "maxHits": 100, "seed": 7, "params": {"target": "fetch"}}
 * </pre>
 *
 * Every problem is an {@link InvalidRule} naming the field.
 */
public final class RuleParser {

    public static final Duration DEFAULT_DURATION = Duration.ofHours(1);
    private static final Set<String> FIELDS = Set.of("name", "type", "rate", "scope", "start", "duration", "maxHits", "seed",
            "params", "addedAt", "addedBy");
    private static final Set<String> SCOPE_FIELDS = Set.of("cluster", "topic", "group", "clientId", "clientAddress", "principal");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Map<String, FaultType> types = new LinkedHashMap<>();
    private final Duration defaultDuration;

    public RuleParser(List<FaultType> types, Duration defaultDuration) {
        types.forEach(type -> this.types.put(type.name(), type));
        this.defaultDuration = defaultDuration;
    }

    /** @param now when the rule is added: its start when it gives none */
    public FaultRule parse(JsonNode rule, Instant now, String addedBy) {
        if (rule == null || !rule.isObject()) {
            throw new InvalidRule("(rule)", "must be a JSON object like {\"name\": \"flaky\", \"type\": \"broken-broker\"}");
        }
        for (Iterator<String> names = rule.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidRule(field, "is not a rule field; fields are [name, type, rate, scope, start, duration, maxHits, seed, params]");
            }
        }
        String name = text(rule, "name", null);
        if (name == null) {
            throw new InvalidRule("name", "is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidRule("name", "must be letters, digits, '.', '_' or '-', at most 100, was '" + name + "'");
        }
        String typeName = text(rule, "type", null);
        if (typeName == null) {
            throw new InvalidRule("type", "is required; types are " + types.keySet());
        }
        FaultType type = types.get(typeName);
        if (type == null) {
            throw new InvalidRule("type", "'" + typeName + "' is not a fault type; types are " + types.keySet());
        }
        double rate = 100;
        JsonNode rateNode = rule.get("rate");
        if (rateNode != null && !rateNode.isNull()) {
            if (!rateNode.isNumber() || rateNode.asDouble() < 0 || rateNode.asDouble() > 100) {
                throw new InvalidRule("rate", "must be a percentage from 0 to 100, was " + rateNode);
            }
            rate = rateNode.asDouble();
        }
        RuleScope scope = scope(rule.get("scope"));
        if (type.topicScope() == FaultType.TopicScope.REQUIRED && scope.topic() == null) {
            throw new InvalidRule("scope.topic", "is required: " + typeName + " acts on chosen topics only");
        }
        if (type.topicScope() == FaultType.TopicScope.REFUSED && scope.topic() != null) {
            throw new InvalidRule("scope.topic", "is not used by " + typeName
                    + ", whose requests name no topic; choose clients with scope.group or scope.clientId");
        }
        Instant start = now;
        String startText = text(rule, "start", null);
        if (startText != null) {
            try {
                start = Instant.parse(startText);
            } catch (DateTimeParseException e) {
                throw new InvalidRule("start", "'" + startText + "' is not a time like 2026-12-02T10:00:00Z");
            }
        }
        long maxHits = Long.MAX_VALUE;
        JsonNode maxHitsNode = rule.get("maxHits");
        if (maxHitsNode != null && !maxHitsNode.isNull()) {
            if (!maxHitsNode.isIntegralNumber() || maxHitsNode.asLong() < 1) {
                throw new InvalidRule("maxHits", "must be a whole number of at least 1, was " + maxHitsNode);
            }
            maxHits = maxHitsNode.asLong();
        }
        Lifetime lifetime = lifetime(rule, start, maxHits);
        long seed;
        JsonNode seedNode = rule.get("seed");
        if (seedNode == null || seedNode.isNull()) {
            seed = ThreadLocalRandom.current().nextLong();
        } else if (seedNode.isIntegralNumber() && seedNode.canConvertToLong()) {
            seed = seedNode.asLong();
        } else {
            throw new InvalidRule("seed", "must be a whole number, was " + seedNode);
        }
        JsonNode params = rule.get("params");
        Fault fault = type.parse(Params.of(params));
        ObjectNode definition = JsonNodeFactory.instance.objectNode();
        definition.put("name", name).put("type", typeName).put("rate", rate);
        ObjectNode scopeNode = definition.putObject("scope");
        scope.asMap().forEach(scopeNode::put);
        definition.put("start", start.toString()).put("duration", lifetime.duration());
        if (lifetime.limitsHits()) {
            definition.put("maxHits", maxHits);
        }
        definition.put("seed", seed);
        definition.set("params", params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params.deepCopy());
        Instant addedAt = now;
        String addedAtText = text(rule, "addedAt", null);
        if (addedAtText != null) {
            try {
                addedAt = Instant.parse(addedAtText);
            } catch (DateTimeParseException e) {
                throw new InvalidRule("addedAt", "'" + addedAtText + "' is not a time");
            }
        }
        String by = text(rule, "addedBy", addedBy);
        definition.put("addedAt", addedAt.toString()).put("addedBy", by);
        return new FaultRule(name, type, rate, scope, lifetime, seed, definition.get("params"), fault, definition, addedAt, by);
    }

    private Lifetime lifetime(JsonNode rule, Instant start, long maxHits) {
        JsonNode duration = rule.get("duration");
        if (duration == null || duration.isNull()) {
            return Lifetime.of(start, defaultDuration, maxHits);
        }
        if (duration.isTextual() && duration.asText().strip().equalsIgnoreCase(Lifetime.UNLIMITED)) {
            return Lifetime.unlimited(start, maxHits);
        }
        Duration parsed;
        try {
            parsed = duration.isIntegralNumber() ? Duration.ofMillis(duration.asLong()) : Durations.parse(duration.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidRule("duration", e.getMessage() + " (or 'unlimited')");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new InvalidRule("duration", "must be longer than zero, was " + duration);
        }
        return Lifetime.of(start, parsed, maxHits);
    }

    private static RuleScope scope(JsonNode scope) {
        if (scope == null || scope.isNull()) {
            return RuleScope.EVERYTHING;
        }
        if (!scope.isObject()) {
            throw new InvalidRule("scope", "must be an object like {\"topic\": \"orders.*\"}");
        }
        for (Iterator<String> names = scope.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!SCOPE_FIELDS.contains(field)) {
                throw new InvalidRule("scope." + field, "is not a scope; scopes are [cluster, topic, group, clientId, clientAddress, principal]");
            }
        }
        Cidr address = null;
        String addressText = text(scope, "clientAddress", null, "scope.");
        if (addressText != null) {
            try {
                address = Cidr.parse(addressText);
            } catch (IllegalArgumentException e) {
                throw new InvalidRule("scope.clientAddress", e.getMessage());
            }
        }
        return new RuleScope(text(scope, "cluster", null, "scope."), pattern(scope, "topic"), pattern(scope, "group"),
                pattern(scope, "clientId"), address, pattern(scope, "principal"));
    }

    private static Pattern pattern(JsonNode scope, String field) {
        String regex = text(scope, field, null, "scope.");
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidRule("scope." + field, "'" + regex + "' is not a valid regular expression: " + e.getDescription());
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        return text(node, field, fallback, "");
    }

    private static String text(JsonNode node, String field, String fallback, String prefix) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRule(prefix + field, "must be a non-empty string, was " + value);
        }
        return value.asText();
    }
}
