package dev.switchboard.app;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The CLI's way to a running gateway: its admin API. */
final class AdminApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: the HTTP status and the JSON body. */
    record Answer(int status, JsonNode body) {
        String error() {
            return body.path("error").asText(body.toString());
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminApiClient(String base) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    Answer post(String path, Object body, String actor) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .header("X-Switchboard-Actor", actor)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    Answer put(String path, Object body, String actor) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .header("X-Switchboard-Actor", actor)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    Answer delete(String path, String actor) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("X-Switchboard-Actor", actor).DELETE().build());
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), JSON.readTree(response.body().isEmpty() ? "{}" : response.body()));
        } catch (ConnectException e) {
            throw new IOException("no gateway admin API at " + base + " (is the gateway running? use --admin to point at it)", e);
        }
    }
}
