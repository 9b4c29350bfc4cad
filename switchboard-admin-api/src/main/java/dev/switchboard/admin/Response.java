package dev.switchboard.admin;

import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** What a route answers: status, content type and body. */
record Response(int status, String contentType, String body) {

    static final String JSON = "application/json";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    static Response json(int status, Object value) {
        return new Response(status, JSON, Json.write(value) + "\n");
    }

    static Response error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    /** 405, with the methods {@code resource} takes in the Allow header. */
    static Response notAllowed(HttpExchange exchange, String method, String resource, String allowed) {
        exchange.getResponseHeaders().add("Allow", allowed);
        return error(405, method + " is not allowed on " + resource + "; use " + allowed);
    }
}
