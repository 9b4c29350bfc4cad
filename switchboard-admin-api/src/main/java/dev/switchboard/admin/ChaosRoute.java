package dev.switchboard.admin;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.switchboard.chaos.ChaosRules;
import dev.switchboard.chaos.InvalidRule;

/**
 * The chaos rules:
 *
 * <pre>
 *   GET    /api/v1/chaos/rules          every rule, with what it matched and affected
 *   POST   /api/v1/chaos/rules          adds a rule (400 naming the field when it is invalid or its name is taken)
 *   GET    /api/v1/chaos/rules/{name}   one rule
 *   PUT    /api/v1/chaos/rules/{name}   replaces or adds it
 *   DELETE /api/v1/chaos/rules/{name}   removes it
 *   POST   /api/v1/chaos/reset          removes every rule
 * </pre>
 *
 * Changes reach every instance through the switch-state topic, and go to the audit log.
 */
final class ChaosRoute {

    static final String PREFIX = "/api/v1/chaos";
    private static final String RULES = PREFIX + "/rules";
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private ChaosRoute() {
    }

    static Response handle(ChaosRules rules, HttpExchange exchange, String resource) {
        String method = exchange.getRequestMethod();
        String actor = AdminAuth.actor(exchange);
        try {
            if (resource.equals(PREFIX + "/reset")) {
                if (!method.equals("POST")) {
                    return Response.notAllowed(exchange, method, resource, "POST");
                }
                return Response.json(200, Map.of("removed", rules.reset(actor)));
            }
            if (resource.equals(RULES)) {
                return switch (method) {
                    case "GET", "HEAD" -> Response.json(200, rules.list());
                    case "POST" -> Response.json(201, rules.add(body(exchange), actor));
                    default -> Response.notAllowed(exchange, method, resource, "GET, POST");
                };
            }
            if (resource.startsWith(RULES + "/") && resource.length() > RULES.length() + 1) {
                String name = resource.substring(RULES.length() + 1);
                return switch (method) {
                    case "GET", "HEAD" -> rules.get(name).map(rule -> Response.json(200, rule))
                            .orElseGet(() -> Response.error(404, "no chaos rule named '" + name + "'"));
                    case "PUT" -> Response.json(200, rules.replace(name, body(exchange), actor));
                    case "DELETE" -> rules.remove(name, actor) ? Response.json(200, Map.of("removed", name))
                            : Response.error(404, "no chaos rule named '" + name + "'");
                    default -> Response.notAllowed(exchange, method, resource, "GET, PUT, DELETE");
                };
            }
            return Response.error(404, "no resource at " + resource + "; chaos resources are " + RULES + ", " + RULES
                    + "/{name} and " + PREFIX + "/reset");
        } catch (InvalidRule e) {
            return Response.json(400, Map.of("error", e.getMessage(), "field", e.field()));
        } catch (JsonBody.BadBody e) {
            return e.response();
        }
    }

    private static JsonNode body(HttpExchange exchange) {
        return JsonBody.object(exchange, MAX_BODY_BYTES, "{\"name\": \"flaky\", \"type\": \"broken-broker\", \"rate\": 10, "
                + "\"scope\": {\"topic\": \"payments\"}, \"duration\": \"5m\"}");
    }
}
