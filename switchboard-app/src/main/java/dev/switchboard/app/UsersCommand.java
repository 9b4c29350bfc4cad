package dev.switchboard.app;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard users add|list|remove}: the users clients authenticate to the gateway as, one-to-one with
 * {@code /api/v1/users}. A password is read from the terminal without echo, or from the first line of stdin, never
 * from a flag, which would leave it in the shell's history and the process list.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Add, list and remove the users clients authenticate to the gateway as (SASL SCRAM and PLAIN).",
        subcommands = {UsersCommand.Add.class, UsersCommand.ListUsers.class, UsersCommand.Remove.class})
final class UsersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user, or set its password. The password is read from the terminal, or from stdin:"
                    + " printf '%%s' \"$PASSWORD\" | switchboard users add alice")
    static final class Add implements Callable<Integer> {

        @Parameters(paramLabel = "NAME", description = "The user name; clients authenticate as User:NAME.")
        String name;
        @Option(names = "--mechanism", paramLabel = "MECHANISM",
                description = "SCRAM-SHA-512 or SCRAM-SHA-256; repeat for both (the default). PLAIN checks a password against either.")
        List<String> mechanisms = List.of();
        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String password = readPassword();
            if (password == null || password.isEmpty()) {
                spec.commandLine().getErr().println("switchboard users add: no password given (type it, or pipe it to stdin)");
                return 1;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("password", password);
            if (!mechanisms.isEmpty()) {
                body.put("mechanisms", mechanisms);
            }
            AdminApiClient.Answer answer = endpoint.client().put("api/v1/users/" + AdminCalls.pathSegment(name), body, ChaosCommand.actor());
            if (answer.status() != 200) {
                return AdminCalls.refused(spec, answer);
            }
            spec.commandLine().getOut().println("User " + name + " can authenticate with " + mechanisms(answer.body()) + " and PLAIN"
                    + " (every gateway instance)");
            return 0;
        }

        private String readPassword() throws Exception {
            Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("Password for %s: ", name);
                return typed == null ? null : new String(typed);
            }
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users: names and mechanisms, never credentials.")
    static final class ListUsers implements Callable<Integer> {

        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminCalls.Listing users = AdminCalls.list(spec, endpoint, "api/v1/users", "No users.");
            if (!users.hasItems()) {
                return users.exit();
            }
            PrintWriter out = spec.commandLine().getOut();
            String format = "%-24s %-30s %s%n";
            out.printf(format, "NAME", "MECHANISMS", "CHANGED");
            for (JsonNode user : users.items()) {
                out.printf(format, user.path("name").asText(), mechanisms(user), user.path("changedAt").isTextual()
                        ? ChaosCommand.toSeconds(user.path("changedAt").asText()) : "(config file)");
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove users by name.")
    static final class Remove implements Callable<Integer> {

        @Parameters(paramLabel = "NAME", arity = "1..*", description = "The users to remove.")
        List<String> names;
        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return AdminCalls.removeEach(spec, endpoint, "api/v1/users", names, "Removed user");
        }
    }

    private static String mechanisms(JsonNode user) {
        StringBuilder joined = new StringBuilder();
        for (JsonNode mechanism : user.path("mechanisms")) {
            joined.append(joined.length() == 0 ? "" : ", ").append(mechanism.asText());
        }
        return joined.toString();
    }
}
