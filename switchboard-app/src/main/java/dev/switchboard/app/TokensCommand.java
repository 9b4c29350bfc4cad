package dev.switchboard.app;

import java.io.PrintWriter;
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

/** {@code switchboard tokens create|list|revoke}: the admin API's tokens, one-to-one with {@code /api/v1/tokens}. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Create, list and revoke admin API tokens (roles: viewer, operator, admin).",
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
final class TokensCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token and print it: the only time it is shown. Every gateway instance takes it.")
    static final class Create implements Callable<Integer> {

        @Option(names = "--name", required = true, description = "Whom or what the token is for, as the audit log will name it.")
        String name;
        @Option(names = "--role", required = true, description = "viewer (status, metrics, reports), operator (and failover,"
                + " chaos), or admin (and users, ACLs, tokens).")
        String role;
        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminApiClient.Answer answer = endpoint.client().post("api/v1/tokens", Map.of("name", name, "role", role), ChaosCommand.actor());
            if (answer.status() != 201) {
                return AdminCalls.refused(spec, answer);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(answer.body().path("token").asText());
            spec.commandLine().getErr().println("Token " + answer.body().path("id").asText() + " for " + name + " (" + role
                    + "); shown once: keep it where its user will find it");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens: ids, names and roles, never secrets.")
    static final class ListTokens implements Callable<Integer> {

        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AdminCalls.Listing tokens = AdminCalls.list(spec, endpoint, "api/v1/tokens", "No tokens.");
            if (!tokens.hasItems()) {
                return tokens.exit();
            }
            PrintWriter out = spec.commandLine().getOut();
            String format = "%-18s %-32s %-9s %s%n";
            out.printf(format, "ID", "NAME", "ROLE", "CHANGED");
            for (JsonNode token : tokens.items()) {
                out.printf(format, token.path("id").asText(), token.path("name").asText(), token.path("role").asText(),
                        ChaosCommand.toSeconds(token.path("changedAt").asText()));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke tokens by id, at every instance.")
    static final class Revoke implements Callable<Integer> {

        @Parameters(paramLabel = "ID", arity = "1..*", description = "The tokens to revoke.")
        List<String> ids;
        @Mixin
        FailoverCommand.AdminEndpoint endpoint;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return AdminCalls.removeEach(spec, endpoint, "api/v1/tokens", ids, "Revoked token");
        }
    }
}
