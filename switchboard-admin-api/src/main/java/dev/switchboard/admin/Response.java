package dev.switchboard.admin;

import java.util.Map;

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
}
