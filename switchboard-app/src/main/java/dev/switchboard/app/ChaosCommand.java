package dev.switchboard.app;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard chaos add|list|remove|reset}: the chaos rules, one-to-one with {@code /api/v1/chaos}.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Add, list and remove chaos rules: scoped, timed faults that clients feel on the Kafka wire.",
        subcommands = {ChaosCommand.Add.class, ChaosCommand.ListRules.class, ChaosCommand.Remove.class, ChaosCommand.Reset.class})
final class ChaosCommand implements Runnable {

    static final int REFUSED = 3;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String actor() {
        try {
            return System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return System.getProperty("user.name") + "@unknown";
        }
    }

    /** A time to the second, as people read it and as the table's column fits it; {@code unlimited} stays so. */
    static String toSeconds(String time) {
        try {
            return Instant.parse(time).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return time;
        }
    }

    /** Prints a refusal; the exit code says the gateway refused. */
    static int refused(CommandSpec spec, AdminApiClient.Answer answer) {
        spec.commandLine().getErr().println("switchboard chaos " + spec.name() + ": refused (" + answer.status() + "): "
                + answer.error());
        return REFUSED;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a rule, from flags or from a JSON/YAML file in the shape POST /api/v1/chaos/rules takes.")
    static final class Add implements Callable<Integer> {

        @Option(names = "--file", paramLabel = "FILE", description = "The rule, as JSON or YAML.")
        Path file;
        @Option(names = "--name", description = "The rule's name.")
        String name;
        @Option(names = "--type", description = "The fault type, such as broken-broker or latency.")
        String type;
        @Option(names = "--rate", description = "Percentage of matched requests hit (default 100).")
        Double rate;
        @Option(names = "--cluster", description = "Scope: the cluster serving the client.")
        String cluster;
        @Option(names = "--topic", paramLabel = "REGEX", description = "Scope: topics.")
        String topic;
        @Option(names = "--group", paramLabel = "REGEX", description = "Scope: consumer groups.")
        String group;
        @Option(names = "--client-id", paramLabel = "REGEX", description = "Scope: client ids.")
        String clientId;
        @Option(names = "--client-address", paramLabel = "CIDR", description = "Scope: client addresses.")
        String clientAddress;
        @Option(names = "--duration", description = "How long the rule lasts, such as 5m, or 'unlimited' (default 1h).")
        String duration;
        @Option(names = "--start", description = "When the rule starts, such as 2026-12-02T10:00:00Z (default now).")
        String start;
        @Option(names = "--max-hits", description = "Stop after affecting this many requests.")
        Long maxHits;
        @Option(names = "--seed", description = "Makes which requests are hit reproducible.")
        Long seed;
        @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter of the type; a dotted key nests "
                + "(errors.produce=NOT_ENOUGH_REPLICAS). Repeat for more.")
        Map<String, String> params = new LinkedHashMap<>();

        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (file != null && !Files.isRegularFile(file)) {
                spec.commandLine().getErr().println("switchboard chaos add: --file " + file + " does not exist");
                return 1;
            }
            JsonNode rule = file != null ? YAML.readTree(Files.readString(file)) : fromFlags();
            AdminApiClient.Answer answer = endpoint.client().post("api/v1/chaos/rules", rule, actor());
            if (answer.status() != 201) {
                return refused(spec, answer);
            }
            JsonNode added = answer.body();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Added chaos rule " + added.path("name").asText() + " (" + added.path("type").asText() + ", rate "
                    + added.path("rate").asText() + "%, scope " + added.path("scope") + ") until " + toSeconds(added.path("expiresAt").asText()));
            return 0;
        }

        private JsonNode fromFlags() {
            ObjectNode rule = YAML.createObjectNode();
            putIf(rule, "name", name);
            putIf(rule, "type", type);
            if (rate != null) {
                rule.put("rate", rate);
            }
            ObjectNode scope = rule.putObject("scope");
            putIf(scope, "cluster", cluster);
            putIf(scope, "topic", topic);
            putIf(scope, "group", group);
            putIf(scope, "clientId", clientId);
            putIf(scope, "clientAddress", clientAddress);
            putIf(rule, "duration", duration);
            putIf(rule, "start", start);
            if (maxHits != null) {
                rule.put("maxHits", maxHits);
            }
            if (seed != null) {
                rule.put("seed", seed);
            }
            ObjectNode paramNode = rule.putObject("params");
            params.forEach((key, value) -> {
                ObjectNode parent = paramNode;
                String[] path = key.split("\\.");
                for (int i = 0; i < path.length - 1; i++) {
                    parent = parent.has(path[i]) ? (ObjectNode) parent.get(path[i]) : parent.putObject(path[i]);
                }
                parent.set(path[path.length - 1], scalar(value));
            });
            return rule;
        }

        private static JsonNode scalar(String value) {
            try {
                JsonNode parsed = YAML.readTree(value);
                return parsed == null ? YAML.getNodeFactory().textNode(value) : parsed;
            } catch (Exception e) {
                return YAML.getNodeFactory().textNode(value);
            }
        }

        private static void putIf(ObjectNode node, String key, String value) {
            if (value != null) {
                node.put(key, value);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the rules, with what each matched and affected.")
    static final class ListRules implements Callable<Integer> {

        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminCalls.Listing rules = AdminCalls.list(spec, endpoint, "api/v1/chaos/rules", "No chaos rules.");
            if (!rules.hasItems()) {
                return rules.exit();
            }
            PrintWriter out = spec.commandLine().getOut();
            String format = "%-20s %-24s %-9s %6s %9s %9s  %-24s %s%n";
            out.printf(format, "NAME", "TYPE", "STATE", "RATE", "MATCHED", "AFFECTED", "EXPIRES", "SCOPE");
            for (JsonNode rule : rules.items()) {
                out.printf(format, rule.path("name").asText(), rule.path("type").asText(), rule.path("state").asText(),
                        rule.path("rate").asText() + "%", rule.path("matched").asLong(), rule.path("affected").asLong(),
                        toSeconds(rule.path("expiresAt").asText()), rule.path("scope").isEmpty() ? "everything" : rule.path("scope").toString());
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove rules by name.")
    static final class Remove implements Callable<Integer> {

        @Parameters(paramLabel = "NAME", arity = "1..*", description = "The rules to remove.")
        List<String> names;
        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return AdminCalls.removeEach(spec, endpoint, "api/v1/chaos/rules", names, "Removed chaos rule");
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true, description = "Remove every rule.")
    static final class Reset implements Callable<Integer> {

        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminApiClient.Answer answer = endpoint.client().post("api/v1/chaos/reset", Map.of(), actor());
            if (answer.status() != 200) {
                return refused(spec, answer);
            }
            spec.commandLine().getOut().println("Removed " + answer.body().path("removed").asInt() + " chaos rules");
            return 0;
        }
    }
}
