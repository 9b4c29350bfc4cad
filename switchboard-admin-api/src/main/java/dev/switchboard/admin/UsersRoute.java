package dev.switchboard.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.switchboard.security.UserDirectory;

/**
 * The users clients authenticate to the gateway as:
 *
 * <pre>
 *   GET    /api/v1/users          every user: name, mechanisms, when it last changed; never a credential
 *   PUT    /api/v1/users/{name}   adds the user or sets its password: {"password": "...", "mechanisms": ["SCRAM-SHA-512"]}
 *   DELETE /api/v1/users/{name}   removes it
 * </pre>
 *
 * The password is salted at once and never kept or shared; changes reach every instance through the switch-state
 * topic, and go to the audit log.
 */
final class UsersRoute {

    static final String PREFIX = "/api/v1/users";
    private static final Set<String> FIELDS = Set.of("password", "mechanisms");
    private static final int MAX_BODY_BYTES = 4096;

    private UsersRoute() {
    }

    static Response handle(UserDirectory users, HttpExchange exchange, String resource) {
        String method = exchange.getRequestMethod();
        String actor = AdminAuth.actor(exchange);
        try {
            if (resource.equals(PREFIX)) {
                return switch (method) {
                    case "GET", "HEAD" -> Response.json(200, users.list());
                    default -> Response.notAllowed(exchange, method, resource, "GET");
                };
            }
            String name = resource.substring(PREFIX.length() + 1);
            return switch (method) {
                case "PUT" -> put(users, exchange, name, actor);
                case "DELETE" -> users.remove(name, actor) ? Response.json(200, Map.of("removed", name))
                        : Response.error(404, "no user named '" + name + "'");
                default -> Response.notAllowed(exchange, method, resource, "PUT, DELETE");
            };
        } catch (JsonBody.BadBody e) {
            return e.response();
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
    }

    private static Response put(UserDirectory users, HttpExchange exchange, String name, String actor) {
        JsonNode body = JsonBody.object(exchange, MAX_BODY_BYTES, "{\"password\": \"...\", \"mechanisms\": [\"SCRAM-SHA-512\"]}");
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                return Response.error(400, "unknown field '" + field + "'; fields are " + FIELDS);
            }
        }
        JsonNode password = body.get("password");
        if (password == null || !password.isTextual() || password.asText().isEmpty()) {
            return Response.error(400, "'password' is required and must be a non-empty string");
        }
        List<String> mechanisms = new ArrayList<>();
        JsonNode listed = body.get("mechanisms");
        if (listed != null) {
            if (!listed.isArray()) {
                return Response.error(400, "'mechanisms' must be a list, like [\"SCRAM-SHA-512\", \"SCRAM-SHA-256\"]");
            }
            for (JsonNode mechanism : listed) {
                mechanisms.add(mechanism.asText());
            }
        }
        return Response.json(200, users.put(name, password.asText(), mechanisms, actor));
    }
}
