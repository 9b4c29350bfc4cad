package dev.switchboard.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.config.Durations;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * A rule's {@code params}, read by its fault type. Every read names the key it reads, so {@link #finish()} can refuse
 * the keys no read asked for: a misspelt parameter is an error, never silently ignored.
 */
public final class Params {

    private final ObjectNode node;
    private final String prefix;
    private final Set<String> read = new LinkedHashSet<>();

    private Params(JsonNode node, String prefix) {
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new InvalidRule("params", "must be an object of parameters, was " + node);
        }
        this.node = node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) node;
        this.prefix = prefix;
    }

    public static Params of(JsonNode node) {
        return new Params(node, "");
    }

    public boolean has(String key) {
        read.add(key);
        return node.hasNonNull(key);
    }

    public String string(String key, String fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw invalid(key, "must be a string, was " + value);
        }
        return value.asText();
    }

    /** One of {@code allowed}, in any case. */
    public String choice(String key, String fallback, String... allowed) {
        String value = string(key, fallback);
        for (String option : allowed) {
            if (option.equalsIgnoreCase(value)) {
                return option;
            }
        }
        throw invalid(key, "must be one of " + List.of(allowed) + ", was '" + value + "'");
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(key, "must be true or false, was " + value);
        }
        return value.asBoolean();
    }

    public long integer(String key, long fallback, long min, long max) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
            throw invalid(key, "must be a whole number from " + min + " to " + max + ", was " + value);
        }
        return value.asLong();
    }

    /** A duration such as {@code 250ms}, {@code 5s}, {@code 2m} or {@code PT1S}, or a number of milliseconds. */
    public Duration duration(String key, Duration fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (value.isIntegralNumber() && value.asLong() >= 0) {
            return Duration.ofMillis(value.asLong());
        }
        try {
            return Durations.parse(value.asText());
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** A list of strings; a single string is a list of one. Empty when absent. */
    public List<String> strings(String key) {
        JsonNode value = value(key);
        List<String> values = new ArrayList<>();
        if (value == null) {
            return values;
        }
        if (value.isTextual()) {
            values.add(value.asText());
            return values;
        }
        if (!value.isArray()) {
            throw invalid(key, "must be a string or a list of strings, was " + value);
        }
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw invalid(key, "must list strings, found " + element);
            }
            values.add(element.asText());
        }
        return values;
    }

    /** API names such as {@code Produce}, {@code PRODUCE} or {@code produce}, or numeric API keys. */
    public List<ApiKeys> apis(String key) {
        List<ApiKeys> apis = new ArrayList<>();
        for (String name : strings(key)) {
            apis.add(api(key, name));
        }
        return apis;
    }

    static ApiKeys api(String key, String name) {
        String normal = name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (ApiKeys api : ApiKeys.values()) {
            if (api.name.toLowerCase(Locale.ROOT).equals(normal) || api.name().replace("_", "").toLowerCase(Locale.ROOT).equals(normal)
                    || String.valueOf(api.id).equals(normal)) {
                return api;
            }
        }
        throw new InvalidRule("params." + key, "'" + name + "' is not a Kafka API (such as Produce or Fetch)");
    }

    /**
     * Error codes for one API, by name ({@code NOT_ENOUGH_REPLICAS}) or number: each must be one the API can
     * answer with, per {@link ApiErrors}. {@code fallback} when absent.
     */
    public List<Errors> errors(String key, ApiKeys api, List<Errors> fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        List<Errors> errors = new ArrayList<>();
        List<JsonNode> elements = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(elements::add);
        } else {
            elements.add(value);
        }
        if (elements.isEmpty()) {
            throw invalid(key, "must name at least one error code");
        }
        for (JsonNode element : elements) {
            Errors error = error(key, element);
            if (!ApiErrors.validFor(api, error)) {
                throw invalid(key, error.name() + " is not an error " + api.name + " answers with; use one of "
                        + new TreeSet<>(ApiErrors.namesFor(api)));
            }
            errors.add(error);
        }
        return errors;
    }

    private Errors error(String key, JsonNode element) {
        if (element.isIntegralNumber()) {
            Errors error = Errors.forCode((short) element.asInt());
            if (error == Errors.UNKNOWN_SERVER_ERROR && element.asInt() != Errors.UNKNOWN_SERVER_ERROR.code()) {
                throw invalid(key, element + " is not a Kafka error code");
            }
            return error;
        }
        try {
            return Errors.valueOf(element.asText().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw invalid(key, "'" + element.asText() + "' is not a Kafka error code (such as NOT_LEADER_OR_FOLLOWER)");
        }
    }

    /** The nested object under {@code key}, read with the same checks; empty when absent. */
    public Params nested(String key) {
        JsonNode value = value(key);
        if (value != null && !value.isObject()) {
            throw invalid(key, "must be an object, was " + value);
        }
        return new Params(value, prefix + key + ".");
    }

    /** Refuses the keys no read asked for. Call once every parameter has been read. */
    public void finish() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new InvalidRule("params." + prefix + name, "is not a parameter of this type; its parameters are "
                        + (read.isEmpty() ? "none" : read));
            }
        }
    }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    public InvalidRule invalid(String key, String problem) {
        return new InvalidRule("params." + prefix + key, problem);
    }
}
