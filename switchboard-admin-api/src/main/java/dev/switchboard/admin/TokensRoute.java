package dev.switchboard.admin;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.switchboard.security.AdminRole;
import dev.switchboard.security.AdminTokens;

/**
 * The admin API's tokens, for admins:
 *
 * <pre>
 *   GET    /api/v1/tokens        every token: id, name, role; never a secret
 *   POST   /api/v1/tokens        makes one: {"name": "ci-pipeline", "role": "operator"}; the answer holds the token, once
 *   DELETE /api/v1/tokens/{id}   revokes it, at every instance
 * </pre>
 */
final class TokensRoute {

    static final String PREFIX = "/api/v1/tokens";
    private static final Set<String> FIELDS = Set.of("name", "role");
    private static final int MAX_BODY_BYTES = 4096;

    private TokensRoute() {
    }

    static Response handle(AdminTokens tokens, HttpExchange exchange, String resource) {
        String method = exchange.getRequestMethod();
        String actor = AdminAuth.actor(exchange);
        try {
            if (resource.equals(PREFIX)) {
                return switch (method) {
                    case "GET", "HEAD" -> Response.json(200, tokens.list());
                    case "POST" -> create(tokens, exchange, actor);
                    default -> Response.notAllowed(exchange, method, resource, "GET, POST");
                };
            }
            String id = resource.substring(PREFIX.length() + 1);
            if (!method.equals("DELETE")) {
                return Response.notAllowed(exchange, method, resource, "DELETE");
            }
            return tokens.revoke(id, actor) ? Response.json(200, Map.of("revoked", id)) : Response.error(404, "no token with id '" + id + "'");
        } catch (JsonBody.BadBody e) {
            return e.response();
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
    }

    private static Response create(AdminTokens tokens, HttpExchange exchange, String actor) {
        JsonNode body = JsonBody.object(exchange, MAX_BODY_BYTES, "{\"name\": \"ci-pipeline\", \"role\": \"operator\"}");
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                return Response.error(400, "unknown field '" + field + "'; fields are " + FIELDS);
            }
        }
        String name = body.path("name").asText("");
        if (!body.path("role").isTextual()) {
            return Response.error(400, "'role' is required: viewer, operator or admin");
        }
        AdminTokens.Created created = tokens.create(name, AdminRole.of(body.path("role").asText()), actor);
        return Response.json(201, Map.of("token", created.token(), "id", created.identity().id(), "name", created.identity().name(),
                "role", created.identity().role().label()));
    }
}
