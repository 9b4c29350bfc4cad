package dev.switchboard.app;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The last switch's recovery report as a terminal table, one application a row, Wave 1 first: when it reconnected,
 * when each of its roles first succeeded again (or that it is still failing), and whether it is back.
 */
final class RecoveryTable {

    static final List<String> HEADER = List.of("APPLICATION", "WAVE1", "AT-SWITCH", "RECONNECTED", "PRODUCED", "FETCHED",
            "COMMITTED", "BACK");
    private static final List<String> ROLES = List.of("producer", "consumer", "transactional");

    private RecoveryTable() {
    }

    static String render(JsonNode report) {
        StringBuilder out = new StringBuilder();
        Instant requested = Instant.parse(report.path("requestedAt").asText());
        out.append(String.format("Switch epoch %d: %s -> %s (%s) requested by %s at %s%n", report.path("epoch").asLong(),
                report.path("from").asText(), report.path("to").asText(), report.path("planned").asBoolean() ? "planned" : "failover",
                report.path("requestedBy").asText(), requested));
        out.append(String.format("  connections moved or closed: %s (%s)%n", report.path("connectionsClosed").asInt(),
                since(requested, report.path("connectionsClosedAt"))));
        out.append(String.format("  new cluster active: %s%n", since(requested, report.path("completedAt"))));

        List<JsonNode> applications = new ArrayList<>();
        report.path("applications").forEach(applications::add);
        // Wave 1 first, each part in the report's order: running, then not running, then new.
        applications.sort(Comparator.comparing(app -> !app.path("wave1").asBoolean()));
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        List<String> failing = new ArrayList<>();
        for (JsonNode app : applications) {
            String name = app.path("clientId").asText() + (app.path("principal").isTextual() ? " (" + app.path("principal").asText() + ")" : "");
            List<String> row = new ArrayList<>(List.of(name.isEmpty() ? "(none)" : name,
                    app.path("wave1").asBoolean() ? "yes" : "-", atSwitch(app), since(requested, app.path("reconnectedAt"))));
            for (String role : ROLES) {
                JsonNode recovery = role(app, role);
                row.add(roleCell(requested, recovery, app.path("atSwitch").asText().equals("notRunning")));
                if (recovery != null && recovery.path("backAt").isNull() && recovery.path("failures").asLong() > 0) {
                    failing.add(String.format("%s %s: %d failed responses, the last %s", name, role,
                            recovery.path("failures").asLong(), recovery.path("lastError").asText()));
                }
            }
            row.add(back(app));
            rows.add(row);
        }
        out.append(System.lineSeparator());
        out.append(columns(rows));
        out.append(System.lineSeparator());
        for (String line : failing) {
            out.append("  failing: ").append(line).append(System.lineSeparator());
        }
        out.append(String.format("  not back: %s%n", report.path("notBack")));
        out.append(String.format("  recovery time (%s): %s%n", report.path("rtoScope").asText(),
                report.path("rtoMillis").isNumber() ? report.path("rtoMillis").asLong() + " ms" : "not yet"));
        if (report.path("note").isTextual()) {
            out.append("  note: ").append(report.path("note").asText()).append(System.lineSeparator());
        }
        return out.toString();
    }

    /** Whether every application that was running at the switch is back, once the new cluster is active. */
    static boolean everyApplicationBack(JsonNode report) {
        return report.path("completedAt").isTextual() && report.path("notBack").isArray() && report.path("notBack").isEmpty();
    }

    private static String atSwitch(JsonNode app) {
        return switch (app.path("atSwitch").asText()) {
            case "running" -> "running";
            case "notRunning" -> "not-running";
            default -> "new";
        };
    }

    private static String back(JsonNode app) {
        if (app.path("atSwitch").asText().equals("new")) {
            return "new";
        }
        if (app.path("back").asBoolean()) {
            return "yes";
        }
        return app.path("atSwitch").asText().equals("running") ? "NO" : "-";
    }

    private static JsonNode role(JsonNode app, String role) {
        for (JsonNode recovery : app.path("roles")) {
            if (recovery.path("role").asText().equals(role)) {
                return recovery;
            }
        }
        return null;
    }

    /**
     * When the role first succeeded again; else {@code FAILING} or {@code waiting}, or {@code -} when it is not one of
     * the application's roles or nobody waits for it (the application was not running at the switch).
     */
    private static String roleCell(Instant requested, JsonNode recovery, boolean notWaitedFor) {
        if (recovery == null) {
            return "-";
        }
        if (recovery.path("backAt").isTextual()) {
            return since(requested, recovery.path("backAt"));
        }
        if (recovery.path("failures").asLong() > 0) {
            return "FAILING";
        }
        return notWaitedFor ? "-" : "waiting";
    }

    /** Left-aligned columns, two spaces apart, each as wide as its widest cell. */
    private static String columns(List<List<String>> rows) {
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String since(Instant start, JsonNode at) {
        if (!at.isTextual()) {
            return "-";
        }
        Duration elapsed = Duration.between(start, Instant.parse(at.asText()));
        return String.format(Locale.ROOT, "+%.3fs", elapsed.toMillis() / 1000.0);
    }
}
