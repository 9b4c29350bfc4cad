package dev.switchboard.app;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** The last switch's recovery report as a terminal table, one application a row. */
final class RecoveryTable {

    private RecoveryTable() {
    }

    static String render(JsonNode report) {
        StringBuilder out = new StringBuilder();
        Instant requested = Instant.parse(report.path("requestedAt").asText());
        out.append(String.format("Switch epoch %d: %s -> %s (%s) requested by %s at %s%n", report.path("epoch").asLong(),
                report.path("from").asText(), report.path("to").asText(), report.path("planned").asBoolean() ? "planned" : "failover",
                report.path("requestedBy").asText(), requested));
        out.append(String.format("  connections closed: %s (+%s)%n", report.path("connectionsClosed").asInt(),
                since(requested, report.path("connectionsClosedAt"))));
        out.append(String.format("  new cluster active: +%s%n", since(requested, report.path("completedAt"))));
        out.append(String.format("%n  %-40s %-6s %-18s %-12s %-12s %-12s %s%n", "APPLICATION", "WAVE1", "ROLES",
                "RECONNECTED", "PRODUCED", "FETCHED", "BACK"));
        for (JsonNode app : report.path("applications")) {
            String name = app.path("clientId").asText() + (app.path("principal").isTextual() ? " (" + app.path("principal").asText() + ")" : "");
            out.append(String.format("  %-40s %-6s %-18s %-12s %-12s %-12s %s%n", name,
                    app.path("wave1").asBoolean() ? "yes" : "", app.path("roles").toString().replaceAll("[\\[\\]\"]", ""),
                    since(requested, app.path("reconnectedAt")), since(requested, app.path("firstProduceAt")),
                    since(requested, app.path("firstFetchAt")),
                    app.path("newSinceSwitch").asBoolean() ? "new" : app.path("back").asBoolean() ? "yes" : "NO"));
        }
        out.append(String.format("%n  not back: %s%n", report.path("notBack")));
        out.append(String.format("  recovery time (%s): %s%n", report.path("rtoScope").asText(),
                report.path("rtoMillis").isNumber() ? report.path("rtoMillis").asLong() + " ms" : "not yet"));
        if (report.path("note").isTextual()) {
            out.append("  note: ").append(report.path("note").asText()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String since(Instant start, JsonNode at) {
        if (!at.isTextual()) {
            return "-";
        }
        Duration elapsed = Duration.between(start, Instant.parse(at.asText()));
        return String.format("%.3fs", elapsed.toMillis() / 1000.0);
    }
}
