package dev.switchboard.app;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The CLI's way to a running gateway: its admin API. */
final class AdminApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: the HTTP status and the JSON body. */
    record Answer(int status, JsonNode body) {
        String error() {
            String error = body.path("error").asText(body.toString());
            return status == 401 ? error + " (pass --token, set SWITCHBOARD_TOKEN, or run where the gateway keeps "
                    + LOCAL_TOKEN + ")" : error;
        }
    }

    /** Where the gateway on this machine keeps a token for the CLI (admin.auth.tokenFile's default). */
    static final Path LOCAL_TOKEN = Path.of(System.getProperty("user.home"), ".switchboard", "admin-token");

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code token} null for none. */
    AdminApiClient(String base, String token) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token;
    }

    /** The token to use: {@code given}, else $SWITCHBOARD_TOKEN, else the local token file's, else none. */
    static String token(String given) {
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        String fromEnvironment = System.getenv("SWITCHBOARD_TOKEN");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        try {
            return Files.isReadable(LOCAL_TOKEN) ? Files.readString(LOCAL_TOKEN).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    Answer post(String path, Object body, String actor) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json")
                .header("X-Switchboard-Actor", actor)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    Answer put(String path, Object body, String actor) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json")
                .header("X-Switchboard-Actor", actor)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    Answer delete(String path, String actor) throws IOException, InterruptedException {
        return send(request(path).header("X-Switchboard-Actor", actor).DELETE().build());
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
