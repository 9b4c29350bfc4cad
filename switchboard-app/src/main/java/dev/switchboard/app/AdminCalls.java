package dev.switchboard.app;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Model.CommandSpec;

/** What the admin verbs share: a listing, removals by name, and how a refusal is printed. */
final class AdminCalls {

    private AdminCalls() {
    }

    /** Prints a refusal as {@code switchboard <verb> <subcommand>: refused (status): why}; the exit code says so. */
    static int refused(CommandSpec spec, AdminApiClient.Answer answer) {
        spec.commandLine().getErr().println("switchboard " + spec.parent().name() + " " + spec.name() + ": refused ("
                + answer.status() + "): " + answer.error());
        return ChaosCommand.REFUSED;
    }

    /** A listing's items, or none: the exit code once its refusal, or that there is nothing, was printed. */
    record Listing(JsonNode items, int exit) {
        boolean hasItems() {
            return items != null;
        }
    }

    /** GET {@code path}: its items, unless it was refused or is empty, which is printed ({@code noneMessage}). */
    static Listing list(CommandSpec spec, FailoverCommand.AdminEndpoint endpoint, String path, String noneMessage) throws Exception {
        AdminApiClient.Answer answer = endpoint.client().get(path);
        if (answer.status() != 200) {
            return new Listing(null, refused(spec, answer));
        }
        if (answer.body().isEmpty()) {
            spec.commandLine().getOut().println(noneMessage);
            return new Listing(null, 0);
        }
        return new Listing(answer.body(), 0);
    }

    /** DELETE {@code collection/<name>} for each name, printing {@code <done> <name>} ("Removed user alice") or the refusal. */
    static int removeEach(CommandSpec spec, FailoverCommand.AdminEndpoint endpoint, String collection, List<String> names, String done) throws Exception {
        AdminApiClient api = endpoint.client();
        int exit = 0;
        for (String name : names) {
            AdminApiClient.Answer answer = api.delete(collection + "/" + pathSegment(name), ChaosCommand.actor());
            if (answer.status() == 200) {
                spec.commandLine().getOut().println(done + " " + name);
            } else {
                exit = refused(spec, answer);
            }
        }
        return exit;
    }

    /** A name as one path segment: e-mail-like names and spaces survive the URL. */
    static String pathSegment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
