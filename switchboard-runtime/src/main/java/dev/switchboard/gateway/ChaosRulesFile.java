package dev.switchboard.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.config.ChaosConfig;

/**
 * The rules a gateway loads at start: the config's {@code chaos.rules}, then those of {@code chaos.file} (a YAML file
 * whose top-level {@code rules:} lists them in the same shape). A file that cannot be read is an error naming it.
 */
final class ChaosRulesFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ChaosRulesFile() {
    }

    /** Rules by where they came from: {@code config} and the file's path. */
    static Map<String, List<JsonNode>> load(ChaosConfig config) {
        Map<String, List<JsonNode>> sources = new LinkedHashMap<>();
        List<JsonNode> inline = new ArrayList<>();
        config.rules().forEach(rule -> inline.add(YAML.valueToTree(rule)));
        sources.put("config", inline);
        if (config.file() != null) {
            sources.put(config.file(), read(Path.of(config.file())));
        }
        return sources;
    }

    static List<JsonNode> read(Path file) {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("chaos.file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("chaos.file " + file + " cannot be read: " + e.getMessage());
        }
        if (tree == null || !tree.path("rules").isArray()) {
            throw new InvalidRule("rules", "chaos.file " + file + " must list its rules under a top-level 'rules:' key");
        }
        List<JsonNode> rules = new ArrayList<>();
        tree.path("rules").forEach(rules::add);
        return rules;
    }
}
