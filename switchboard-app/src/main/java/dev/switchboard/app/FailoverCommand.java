package dev.switchboard.app;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard failover --to secondary [--planned]}: {@code POST /api/v1/failover}, printing what a planned
 * switchover waits for while it waits. {@code switchboard failover last}: {@code GET /api/v1/failover/last}.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Switch every client, through every gateway instance, to another cluster.",
        subcommands = {FailoverCommand.Last.class, FailoverCommand.Veto.class})
final class FailoverCommand implements Callable<Integer> {

    static final int REFUSED = 3;

    @Option(names = "--to", paramLabel = "CLUSTER", description = "The cluster to switch to.")
    String to;

    @Option(names = "--planned", description = "Hold produce requests and wait for replication to catch up first "
            + "(nothing lost, nothing duplicated); abort and stay if it does not within the configured timeout.")
    boolean planned;

    @Mixin
    AdminEndpoint endpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String admin = endpoint.url;
        if (to == null) {
            err.println("switchboard failover: --to CLUSTER is required (or use 'failover last')");
            return REFUSED;
        }
        AdminApiClient api = endpoint.client();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to", to);
        body.put("planned", planned);
        String actor = System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName();
        out.println((planned ? "Planned switchover" : "Failover") + " to " + to + " via " + admin);
        out.flush();
        CompletableFuture<AdminApiClient.Answer> call = CompletableFuture.supplyAsync(() -> {
            try {
                return api.post("api/v1/failover", body, actor);
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        String lastProgress = "";
        while (!call.isDone()) {
            try {
                call.get(500, TimeUnit.MILLISECONDS);
            } catch (TimeoutException waiting) {
                String progress = progress(api.get("api/v1/failover/current").body());
                if (!progress.isEmpty() && !progress.equals(lastProgress)) {
                    out.println("  " + progress);
                    out.flush();
                    lastProgress = progress;
                }
            } catch (ExecutionException e) {
                err.println("switchboard failover: " + e.getCause().getMessage());
                return 1;
            }
        }
        AdminApiClient.Answer answer = call.join();
        if (answer.status() >= 400 && !answer.body().has("result")) {
            err.println("switchboard failover: refused (" + answer.status() + "): " + answer.error());
            return REFUSED;
        }
        JsonNode outcome = answer.body();
        out.println(outcome.path("result").asText() + ": " + outcome.path("message").asText());
        out.println("  epoch " + outcome.path("epoch").asLong() + ", state written to " + outcome.path("stateWrittenTo")
                + ", " + outcome.path("connectionsClosed").asInt() + " connections moved to the new cluster or closed, took " + outcome.path("tookMillis").asLong() + " ms");
        JsonNode catchUp = outcome.path("catchUp");
        if (catchUp.isObject()) {
            out.println("  replication at the switch: " + catchUp.path("topics").size() + " topics at equal end offsets on both"
                    + " clusters, " + catchUp.path("groups").size() + " consumer groups' offsets synced");
        }
        JsonNode lag = outcome.path("lagAtFailure");
        if (lag.isObject()) {
            out.println("  replication lag at failure (records the target may lack), measured " + lag.path("sampledAt").asText() + ":");
            for (JsonNode topic : lag.path("topics")) {
                long behind = 0;
                for (JsonNode partition : topic.path("partitions")) {
                    // A partition where the target holds more (copied twice) does not make up for one behind.
                    behind += Math.max(0, partition.path("sourceEndOffset").asLong() - partition.path("targetEndOffset").asLong());
                }
                out.printf("    %-40s %d%n", topic.path("topic").asText(), behind);
            }
        }
        out.println("Watch recovery with: switchboard failover last --admin " + admin);
        return answer.status() == 200 ? 0 : 1;
    }

    private static String progress(JsonNode current) {
        JsonNode detail = current.path("detail");
        switch (current.path("phase").asText()) {
            case "HoldingProduce":
                return "holding produce requests: " + detail.path("instancesHolding").asInt() + " of "
                        + detail.path("instancesLive").asInt() + " gateway instances hold them";
            case "CatchingUp":
                return "waiting for replication: " + detail.path("progress").asText();
            case "Switching":
                return "switching";
            case "Aborting":
                return "aborting: " + detail.path("reason").asText();
            default:
                return "";
        }
    }

    /**
     * {@code switchboard failover last [--watch [--timeout D]]}: the last switch's timeline, application by application;
     * with {@code --watch}, again every second until every application that must come back is back, or the timeout.
     */
    @Command(name = "last", mixinStandardHelpOptions = true,
            description = "Show the last switch: when each application reconnected, when each of its roles (producer, "
                    + "consumer, transactional) succeeded again or that it still fails, and the recovery time.",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:Shown; with --watch, every application that must come back is back.",
                    "1:The admin API could not be reached.",
                    "2:Bad usage, e.g. a --timeout that is not a duration.",
                    "3:No switch has happened since the gateway started.",
                    "4:With --watch, the timeout passed before every application was back."})
    static final class Last implements Callable<Integer> {

        static final int TIMED_OUT = 4;
        private static final Duration REFRESH = Duration.ofSeconds(1);
        /** Clears the terminal and moves to its top left, so each refresh replaces the table. */
        private static final String CLEAR_SCREEN = "\033[H\033[2J";

        @Mixin
        AdminEndpoint endpoint;

        @Option(names = "--watch", description = "Refresh the table every second until every application that was "
                + "running at the switch is back, or the timeout passes.")
        boolean watch;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
                description = "With --watch, how long to wait, e.g. 30s or 2m (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Duration limit;
            try {
                limit = Durations.parse(timeout);
            } catch (IllegalArgumentException e) {
                err.println("switchboard failover last: --timeout " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            AdminApiClient api = endpoint.client();
            long deadline = System.nanoTime() + limit.toNanos();
            // Only a terminal is redrawn in place; a file or a pipe gets each table that differs from the last.
            boolean terminal = System.console() != null;
            String shown = null;
            while (true) {
                AdminApiClient.Answer answer = api.get("api/v1/failover/last");
                if (answer.status() != 200) {
                    err.println("switchboard failover last: " + answer.error());
                    return REFUSED;
                }
                String table = RecoveryTable.render(answer.body());
                boolean back = RecoveryTable.everyApplicationBack(answer.body());
                if (!watch) {
                    out.print(table);
                    return 0;
                }
                if (!table.equals(shown)) {
                    out.print(terminal ? CLEAR_SCREEN + table : (shown == null ? "" : System.lineSeparator()) + table);
                    out.flush();
                    shown = table;
                }
                if (back) {
                    out.println("Every application that was running at the switch is back.");
                    return 0;
                }
                if (System.nanoTime() >= deadline) {
                    out.println("Timed out after " + Durations.format(limit) + ": not back " + answer.body().path("notBack"));
                    return TIMED_OUT;
                }
                Thread.sleep(Math.min(REFRESH.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        }
    }

    /** {@code switchboard failover veto}: {@code POST /api/v1/failover/veto}. */
    @Command(name = "veto", mixinStandardHelpOptions = true,
            description = "Stop the armed automatic failover, on every gateway instance, for this outage.")
    static final class Veto implements Callable<Integer> {

        @Mixin
        AdminEndpoint endpoint;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String actor = System.getProperty("user.name") + "@" + InetAddress.getLocalHost().getHostName();
            AdminApiClient.Answer answer = endpoint.client().post("api/v1/failover/veto", Map.of(), actor);
            if (answer.status() != 200) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("switchboard failover veto: refused (" + answer.status() + "): " + answer.error());
                err.flush();
                return REFUSED;
            }
            JsonNode proposal = answer.body().path("proposal");
            out.println(answer.body().path("result").asText() + ": " + answer.body().path("message").asText());
            out.println("  proposed by instance " + proposal.path("by").asText() + ", cluster " + proposal.path("from").asText()
                    + " judged down since " + proposal.path("detectedAt").asText() + ", window was to close at "
                    + proposal.path("decideAt").asText());
            out.flush();
            return 0;
        }
    }

    /** Where the gateway's admin API is, and the token to call it with; the same options on every verb that calls it. */
    static final class AdminEndpoint {
        @Option(names = "--admin", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "The gateway's admin API (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token", paramLabel = "TOKEN", description = "The admin API token; by default $SWITCHBOARD_TOKEN,"
                + " else the file the gateway on this machine keeps (" + "~/.switchboard/admin-token).")
        String token;

        AdminApiClient client() {
            return new AdminApiClient(url, AdminApiClient.token(token));
        }
    }
}
