package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.chaos.RuleParser;
import dev.switchboard.chaos.faults.FaultTypes;

/**
 * The chaos rules a benchmark runs its gateway with, from {@code --chaos-rule} values: each is a rule as JSON
 * ({@code {"name": ...}}), or a JSON or YAML file holding one rule or a {@code rules:} list, in the shape the REST API
 * and {@code chaos.rules} take. Each is checked here, before any broker or gateway starts, so a typo costs nothing.
 */
public final class ChaosRuleArguments {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final RuleParser PARSER = new RuleParser(FaultTypes.ALL, RuleParser.DEFAULT_DURATION);

    private ChaosRuleArguments() {
    }

    /** @throws IllegalArgumentException naming the value and, for a rule that cannot be applied, its field */
    public static List<JsonNode> parse(List<String> values) {
        List<JsonNode> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String value : values) {
            for (JsonNode rule : read(value)) {
                try {
                    PARSER.parse(rule, Instant.now(), "bench");
                } catch (InvalidRule e) {
                    throw new IllegalArgumentException("--chaos-rule " + value + ": " + e.getMessage());
                }
                if (!names.add(rule.path("name").asText())) {
                    throw new IllegalArgumentException("--chaos-rule " + value + ": a rule named '" + rule.path("name").asText()
                            + "' is given twice");
                }
                rules.add(rule);
            }
        }
        return List.copyOf(rules);
    }

    private static List<JsonNode> read(String value) {
        boolean inline = value.strip().startsWith("{");
        JsonNode tree;
        try {
            tree = YAML.readTree(inline ? value : Files.readString(Path.of(value)));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--chaos-rule " + value + ": is neither a rule as JSON nor a file that exists");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--chaos-rule " + value + ": is not " + (inline ? "JSON" : "JSON or YAML") + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --chaos-rule " + value, e);
        }
        List<JsonNode> rules = new ArrayList<>();
        if (tree != null && tree.path("rules").isArray()) {
            tree.path("rules").forEach(rules::add);
        } else {
            rules.add(tree);
        }
        return rules;
    }
}
