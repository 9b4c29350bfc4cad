package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosRuleArgumentsTest {

    @TempDir
    Path dir;

    @Test
    void rulesComeAsJsonOrFromFilesOfOneRuleOrARulesList() throws Exception {
        Path list = dir.resolve("rules.yaml");
        Files.writeString(list, """
                rules:
                  - name: elsewhere
                    type: latency
                    scope: {topic: not-the-bench}
                  - name: never-hits
                    type: broken-broker
                    rate: 0
                    scope: {topic: relay-.*}
                """);
        Path one = dir.resolve("one.json");
        Files.writeString(one, "{\"name\": \"from-json-file\", \"type\": \"slow-broker\"}");

        List<JsonNode> rules = ChaosRuleArguments.parse(List.of("{\"name\":\"inline\",\"type\":\"latency\"}", list.toString(),
                one.toString()));

        assertThat(rules).extracting(rule -> rule.path("name").asText())
                .containsExactly("inline", "elsewhere", "never-hits", "from-json-file");
        assertThat(rules.get(2).path("rate").asInt()).isZero();
        assertThat(rules.get(2).path("scope").path("topic").asText()).isEqualTo("relay-.*");
    }

    @Test
    void aRuleThatCannotBeAppliedIsRefusedNamingTheValueAndTheField() {
        String misspelt = "{\"name\":\"typo\",\"type\":\"latency\",\"params\":{\"delai\":\"1s\"}}";
        assertThatThrownBy(() -> ChaosRuleArguments.parse(List.of(misspelt))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--chaos-rule " + misspelt + ": params.delai: is not a parameter of this type");
        assertThatThrownBy(() -> ChaosRuleArguments.parse(List.of("{\"name\":\"x\",\"type\":\"no-such-type\"}")))
                .hasMessageContaining(": type: 'no-such-type' is not a fault type");
        assertThatThrownBy(() -> ChaosRuleArguments.parse(List.of("{\"name\": ")))
                .hasMessageStartingWith("--chaos-rule {\"name\": : is not JSON");
        assertThatThrownBy(() -> ChaosRuleArguments.parse(List.of(dir.resolve("missing.yaml").toString())))
                .hasMessageEndingWith("missing.yaml: is neither a rule as JSON nor a file that exists");
        String rule = "{\"name\":\"twice\",\"type\":\"latency\"}";
        assertThatThrownBy(() -> ChaosRuleArguments.parse(List.of(rule, rule)))
                .hasMessage("--chaos-rule " + rule + ": a rule named 'twice' is given twice");
    }
}
