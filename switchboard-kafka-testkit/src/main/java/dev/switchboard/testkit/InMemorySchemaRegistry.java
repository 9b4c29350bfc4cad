package dev.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A schema registry held in memory, on the JDK's HTTP server, serving the part of Apicurio Registry's v3 core API
 * that Apicurio's Kafka serdes call. Apicurio's serdes speak only that API (or its v2), never the
 * Confluent-compatible one, though with their default 4-byte content id they write Confluent's wire format.
 *
 * <ul>
 *   <li>{@code POST /groups/{group}/artifacts?ifExists=...}: registers a schema as a version of an artifact.
 *       Content ids and global ids are handed out from 1; the same content keeps its content id across artifacts,
 *       and {@code FIND_OR_CREATE_VERSION} (what the serializer sends) returns the version that already has it.</li>
 *   <li>{@code GET /ids/contentIds/{id}} and {@code GET /ids/contentIds/{id}/references}: what the deserializer
 *       reads for the id in a record. An unknown id gets Apicurio's 404 ProblemDetails, name
 *       {@code ContentNotFoundException}, title {@code No content with ID '<id>' was found.}</li>
 * </ul>
 *
 * Anything else, including schema references, is answered with a 404 or 400 that says this registry does not
 * serve it, so a serde calling something new fails loudly rather than against invented semantics.
 */
public final class InMemorySchemaRegistry implements AutoCloseable {

    /** Apicurio Registry's v3 core API, below which the serdes' client adds its paths. */
    public static final String CORE_API = "/apis/registry/v3";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIND_OR_CREATE_VERSION = "FIND_OR_CREATE_VERSION";

    private final HttpServer server;
    private final Map<Long, String> contentById = new HashMap<>();
    private final Map<String, Long> idByContent = new HashMap<>();
    private final Map<ArtifactKey, Artifact> artifacts = new HashMap<>();
    private final List<String> requests = new ArrayList<>();
    private long lastContentId;
    private long lastGlobalId;

    private InMemorySchemaRegistry(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port. */
    public static InMemorySchemaRegistry start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry(server);
            server.createContext("/", registry::handle);
            server.start();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the in-memory schema registry", e);
        }
    }

    /** The URL to give a serde as {@code apicurio.registry.url}. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + CORE_API;
    }

    /** The schema registered under {@code contentId}, if any. */
    public synchronized Optional<String> schema(long contentId) {
        return Optional.ofNullable(contentById.get(contentId));
    }

    /** Every request served so far, as {@code METHOD path}, oldest first: what the serdes asked. */
    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private record ArtifactKey(String group, String artifactId) {
    }

    private record Version(String version, long globalId, long contentId) {
    }

    private record Artifact(String type, List<Version> versions) {
    }

    private record Answer(int status, String contentType, byte[] body) {

        static Answer json(int status, JsonNode body) {
            try {
                return new Answer(status, "application/json", JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Apicurio's error body: ProblemDetails, named for the server-side exception. */
        static Answer problem(int status, String name, String title) {
            ObjectNode body = JSON.createObjectNode();
            body.put("status", status);
            body.put("name", name);
            body.put("title", title);
            body.put("detail", name + ": " + title);
            return json(status, body);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = answer(exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestBody());
            } catch (IOException | RuntimeException e) {
                answer = Answer.problem(400, "BadRequestException", String.valueOf(e.getMessage()));
            }
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), answer.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer.body());
            }
        }
    }

    private synchronized Answer answer(String method, URI uri, InputStream body) throws IOException {
        String path = uri.getPath();
        requests.add(method + " " + path);
        List<String> segments = path.startsWith(CORE_API + "/")
                ? List.of(path.substring(CORE_API.length() + 1).split("/"))
                : List.of();
        if (method.equals("POST") && segments.size() == 3 && segments.get(0).equals("groups")
                && segments.get(2).equals("artifacts")) {
            return createArtifact(segments.get(1), query(uri).getOrDefault("ifExists", "FAIL"), JSON.readTree(body));
        }
        if (method.equals("GET") && segments.size() >= 3 && segments.get(0).equals("ids")
                && segments.get(1).equals("contentIds")) {
            long contentId = Long.parseLong(segments.get(2));
            if (!contentById.containsKey(contentId)) {
                return Answer.problem(404, "ContentNotFoundException", "No content with ID '" + contentId + "' was found.");
            }
            if (segments.size() == 3) {
                return new Answer(200, "application/json", contentById.get(contentId).getBytes(StandardCharsets.UTF_8));
            }
            if (segments.size() == 4 && segments.get(3).equals("references")) {
                return Answer.json(200, JSON.createArrayNode());
            }
        }
        return Answer.problem(404, "NotFoundException", "Not served by the in-memory schema registry: " + method + " " + path);
    }

    private Answer createArtifact(String group, String ifExists, JsonNode request) {
        String artifactId = request.path("artifactId").asText(null);
        String type = request.path("artifactType").asText(null);
        JsonNode versionRequest = request.path("firstVersion");
        String content = versionRequest.path("content").path("content").asText(null);
        if (artifactId == null || type == null || content == null) {
            return Answer.problem(400, "BadRequestException", "artifactId, artifactType and firstVersion.content.content are required");
        }
        if (!versionRequest.path("content").path("references").isEmpty()) {
            return Answer.problem(400, "BadRequestException", "the in-memory schema registry keeps no schema references");
        }
        ArtifactKey key = new ArtifactKey(group, artifactId);
        Artifact artifact = artifacts.get(key);
        if (artifact != null && ifExists.equals(FIND_OR_CREATE_VERSION)) {
            Optional<Version> same = artifact.versions().stream()
                    .filter(v -> contentById.get(v.contentId()).equals(content)).findFirst();
            if (same.isPresent()) {
                return created(key, artifact, same.get());
            }
        } else if (artifact != null && !ifExists.equals("CREATE_VERSION")) {
            return Answer.problem(409, "ArtifactAlreadyExistsException",
                    "An artifact with ID '" + artifactId + "' in group '" + group + "' already exists.");
        }
        if (artifact == null) {
            artifact = new Artifact(type, new ArrayList<>());
            artifacts.put(key, artifact);
        }
        Long contentId = idByContent.get(content);
        if (contentId == null) {
            contentId = ++lastContentId;
            idByContent.put(content, contentId);
            contentById.put(contentId, content);
        }
        String versionName = versionRequest.path("version").asText(String.valueOf(artifact.versions().size() + 1));
        Version version = new Version(versionName, ++lastGlobalId, contentId);
        artifact.versions().add(version);
        return created(key, artifact, version);
    }

    private static Answer created(ArtifactKey key, Artifact artifact, Version version) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode artifactNode = body.putObject("artifact");
        artifactNode.put("groupId", key.group());
        artifactNode.put("artifactId", key.artifactId());
        artifactNode.put("artifactType", artifact.type());
        ObjectNode versionNode = body.putObject("version");
        versionNode.put("groupId", key.group());
        versionNode.put("artifactId", key.artifactId());
        versionNode.put("artifactType", artifact.type());
        versionNode.put("version", version.version());
        versionNode.put("globalId", version.globalId());
        versionNode.put("contentId", version.contentId());
        versionNode.put("state", "ENABLED");
        return Answer.json(200, body);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    parameters.put(pair.substring(0, equals), pair.substring(equals + 1));
                }
            }
        }
        return parameters;
    }
}
