package dev.switchboard.admin;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.failover.SwitchRefused;
import dev.switchboard.gateway.Gateway;

/**
 * {@code POST /api/v1/failover} with {@code {"to": "secondary", "planned": false}}. The caller names itself in
 * the {@code X-Switchboard-Actor} header (the CLI sends user@host); the audit log records that and the address
 * the request came from. {@code POST /api/v1/failover/veto} stops an armed automatic failover, named the same way.
 */
final class FailoverRoute {

    static final String ACTOR_HEADER = "X-Switchboard-Actor";
    private static final Set<String> FIELDS = Set.of("to", "planned");
    private static final int MAX_BODY_BYTES = 4096;

    private FailoverRoute() {
    }

    static Response handle(Gateway gateway, HttpExchange exchange) {
        JsonNode body;
        try {
            body = JsonBody.object(exchange, MAX_BODY_BYTES, "{\"to\": \"secondary\", \"planned\": false}");
        } catch (JsonBody.BadBody e) {
            return e.response();
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return Response.error(400, "unknown field '" + name + "'; fields are " + FIELDS);
            }
        }
        JsonNode to = body.get("to");
        if (to == null || !to.isTextual()) {
            return Response.error(400, "'to' is required and must be a cluster name (a string)");
        }
        JsonNode planned = body.get("planned");
        if (planned != null && !planned.isBoolean()) {
            return Response.error(400, "'planned' must be true or false");
        }
        try {
            ClusterSwitch.Outcome outcome = gateway.failover(to.asText(), planned != null && planned.asBoolean(), AdminAuth.actor(exchange));
            return Response.json(outcome.result().equals("switched") ? 200 : 504, outcome);
        } catch (SwitchRefused e) {
            return Response.json(e.status(), Map.of("error", e.getMessage()));
        }
    }

    /**
     * {@code POST /api/v1/failover/veto}, no body: stops the armed automatic failover on every instance. 200 once the
     * standby's topic holds the veto before any decision; 409 when nothing is armed or the decision came first.
     */
    static Response veto(Gateway gateway, HttpExchange exchange) {
        try {
            return Response.json(200, gateway.vetoFailover(AdminAuth.actor(exchange)));
        } catch (SwitchRefused e) {
            return Response.json(e.status(), Map.of("error", e.getMessage()));
        }
    }
}
