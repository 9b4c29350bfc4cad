package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import dev.switchboard.chaos.RuleStatus;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard chaos add|list|remove|reset} as processes of their own against a running gateway's admin API:
 * what each prints, what it changed at the gateway, and refusals that name the field on stderr with a non-zero exit.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosCommandProcessTest {

    private static final List<String> LIST_HEADER = List.of("NAME", "TYPE", "STATE", "RATE", "MATCHED", "AFFECTED", "EXPIRES", "SCOPE");
    private static final Set<String> RIGHT_ALIGNED = Set.of("RATE", "MATCHED", "AFFECTED");
    private static final Pattern WORD = Pattern.compile("\\S+");

    @TempDir
    Path dir;

    private GatewayWithAdminApi running;
    private Gateway gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "chaos-app") EmbeddedKafkaCluster cluster) {
        running = new GatewayWithAdminApi(new GatewayFixture(cluster));
        gateway = running.gateway();
    }

    @AfterAll
    void stopGateway() {
        if (running != null) {
            running.close();
        }
    }

    @AfterEach
    void removeRules() {
        gateway.chaos().reset("test");
    }

    @Test
    void rulesAddedFromFlagsAndFromAFileAreListedThenRemovedAndReset() throws Exception {
        SwitchboardProcess fromFlags = chaos("add", "--name", "cli-broken", "--type", "broken-broker", "--rate", "50",
                "--topic", "cli-orders", "--duration", "10m", "--seed", "7", "--param", "errors.produce=NOT_ENOUGH_REPLICAS");
        assertThat(fromFlags.exit()).as(fromFlags.toString()).isZero();
        RuleStatus broken = gateway.chaos().get("cli-broken").orElseThrow();
        assertThat(fromFlags.outLines()).containsExactly("Added chaos rule cli-broken (broken-broker, rate 50.0%, scope "
                + "{\"topic\":\"cli-orders\"}) until " + toSeconds(broken.expiresAt()));
        assertThat(List.of(broken.type(), broken.rate(), broken.scope(), broken.duration(), broken.seed(),
                broken.params().toString())).containsExactly("broken-broker", 50.0, Map.of("topic", "cli-orders"), "10m", 7L,
                "{\"errors\":{\"produce\":\"NOT_ENOUGH_REPLICAS\"}}");

        Path file = dir.resolve("slow-app.yaml");
        Files.writeString(file, """
                name: cli-slow
                type: latency
                scope:
                  clientId: slow-app
                duration: unlimited
                params:
                  delay: 250ms
                  apis: [Produce, Fetch]
                """);
        SwitchboardProcess fromFile = chaos("add", "--file", file.toString());
        assertThat(fromFile.exit()).as(fromFile.toString()).isZero();
        assertThat(fromFile.outLines()).containsExactly(
                "Added chaos rule cli-slow (latency, rate 100.0%, scope {\"clientId\":\"slow-app\"}) until unlimited");
        RuleStatus slow = gateway.chaos().get("cli-slow").orElseThrow();
        assertThat(List.of(slow.duration(), slow.expiresAt(), slow.params().toString()))
                .containsExactly("unlimited", "unlimited", "{\"delay\":\"250ms\",\"apis\":[\"Produce\",\"Fetch\"]}");

        SwitchboardProcess listed = chaos("list");
        assertThat(listed.exit()).as(listed.toString()).isZero();
        Map<String, Map<String, String>> table = table(listed);
        assertThat(table).containsOnlyKeys("cli-broken", "cli-slow");
        assertThat(table.get("cli-broken")).containsAllEntriesOf(Map.of("TYPE", "broken-broker", "STATE", "active",
                "RATE", "50.0%", "MATCHED", "0", "AFFECTED", "0", "EXPIRES", toSeconds(broken.expiresAt()),
                "SCOPE", "{\"topic\":\"cli-orders\"}"));
        assertThat(table.get("cli-slow")).containsAllEntriesOf(Map.of("TYPE", "latency", "RATE", "100.0%",
                "EXPIRES", "unlimited", "SCOPE", "{\"clientId\":\"slow-app\"}"));

        SwitchboardProcess removed = chaos("remove", "cli-broken");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(removed.outLines()).containsExactly("Removed chaos rule cli-broken");
        assertThat(gateway.chaos().list()).extracting(RuleStatus::name).containsExactly("cli-slow");
        SwitchboardProcess again = chaos("remove", "cli-broken");
        assertThat(again.exit()).as(again.toString()).isEqualTo(ChaosCommand.REFUSED);
        assertThat(again.err()).contains("refused (404): no chaos rule named 'cli-broken'");

        SwitchboardProcess reset = chaos("reset");
        assertThat(reset.exit()).as(reset.toString()).isZero();
        assertThat(reset.outLines()).containsExactly("Removed 1 chaos rules");
        assertThat(gateway.chaos().list()).isEmpty();
        SwitchboardProcess empty = chaos("list");
        assertThat(empty.outLines()).as(empty.toString()).containsExactly("No chaos rules.");
    }

    @Test
    void anInvalidRuleExitsNonZeroNamingTheFieldOnStderrAndAddsNothing() throws Exception {
        SwitchboardProcess misspelt = chaos("add", "--name", "cli-bad-param", "--type", "latency", "--param", "delai=1s");
        assertThat(misspelt.exit()).as(misspelt.toString()).isEqualTo(ChaosCommand.REFUSED);
        assertThat(misspelt.out()).isEmpty();
        assertThat(misspelt.err()).contains("refused (400)", "params.delai", "is not a parameter of this type");

        Path file = dir.resolve("bad-scope.yaml");
        Files.writeString(file, """
                name: cli-bad-scope
                type: broken-broker
                scope: {topic: "orders(", clientId: app}
                """);
        SwitchboardProcess scope = chaos("add", "--file", file.toString());
        assertThat(scope.exit()).as(scope.toString()).isEqualTo(ChaosCommand.REFUSED);
        assertThat(scope.err()).contains("scope.topic: 'orders(' is not a valid regular expression");

        SwitchboardProcess missing = chaos("add", "--file", dir.resolve("missing.yaml").toString());
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).contains("switchboard chaos add: --file " + dir.resolve("missing.yaml") + " does not exist");

        assertThat(gateway.chaos().list()).as("rules after only invalid ones").isEmpty();
    }

    @Test
    void withoutAGatewayTheFullCommandSaysWhereItLooked() throws Exception {
        SwitchboardProcess nowhere = SwitchboardProcess.run("chaos", "list", "--admin", "http://127.0.0.1:1");
        assertThat(nowhere.exit()).as(nowhere.toString()).isEqualTo(1);
        assertThat(nowhere.err()).startsWith("switchboard chaos list: no gateway admin API at http://127.0.0.1:1");
    }

    /** The expiry as the CLI prints it: to the second, so the table's columns line up. */
    private static String toSeconds(String expiresAt) {
        return Instant.parse(expiresAt).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private SwitchboardProcess chaos(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "chaos";
        System.arraycopy(args, 0, command, 1, args.length);
        return running.run(command);
    }

    /**
     * {@code chaos list}'s table as it printed it: each rule's row by its name, each cell by its column's header. Every
     * cell must line up under its header, on the left for text and on the right for numbers, as a reader expects.
     */
    private static Map<String, Map<String, String>> table(SwitchboardProcess listed) {
        List<String> lines = listed.outLines();
        List<MatchResult> header = WORD.matcher(lines.get(0)).results().toList();
        assertThat(header).as("the header of %s", listed.out()).extracting(MatchResult::group).containsExactlyElementsOf(LIST_HEADER);
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<MatchResult> cells = WORD.matcher(line).results().toList();
            assertThat(cells).as("cells of the row %s", line).hasSize(LIST_HEADER.size());
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < cells.size(); i++) {
                String column = LIST_HEADER.get(i);
                if (RIGHT_ALIGNED.contains(column)) {
                    assertThat(cells.get(i).end()).as("where %s ends in\n%s\n%s", column, lines.get(0), line).isEqualTo(header.get(i).end());
                } else {
                    assertThat(cells.get(i).start()).as("where %s starts in\n%s\n%s", column, lines.get(0), line)
                            .isEqualTo(header.get(i).start());
                }
                row.put(column, cells.get(i).group());
            }
            rows.put(row.get("NAME"), row);
        }
        return rows;
    }
}
