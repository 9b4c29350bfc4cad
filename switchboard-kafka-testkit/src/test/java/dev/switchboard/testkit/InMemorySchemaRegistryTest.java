package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry over HTTP, as Apicurio's serdes reach it: ids from 1, one id per schema, Apicurio's 404. */
class InMemorySchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String REFUND = "{\"type\":\"record\",\"name\":\"Refund\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";

    private final HttpClient http = HttpClient.newHttpClient();
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.start();

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void idsAreHandedOutFromOneAndTheSameSchemaKeepsItsId() throws Exception {
        JsonNode first = register("orders-value", ORDER).path("version");
        assertThat(first.path("contentId").asLong()).isEqualTo(1);
        assertThat(first.path("globalId").asLong()).isEqualTo(1);
        assertThat(first.path("version").asText()).isEqualTo("1");

        JsonNode again = register("orders-value", ORDER).path("version");
        assertThat(again.path("contentId").asLong()).as("content id of the same schema registered again").isEqualTo(1);
        assertThat(again.path("globalId").asLong()).as("global id of the same schema registered again").isEqualTo(1);

        JsonNode second = register("orders-value", REFUND).path("version");
        assertThat(second.path("contentId").asLong()).isEqualTo(2);
        assertThat(second.path("version").asText()).isEqualTo("2");

        JsonNode elsewhere = register("audit-value", ORDER).path("version");
        assertThat(elsewhere.path("contentId").asLong()).as("content id of the same schema under another artifact").isEqualTo(1);
        assertThat(elsewhere.path("globalId").asLong()).as("a new version has a new global id").isEqualTo(3);

        HttpResponse<String> lookup = get("/ids/contentIds/1");
        assertThat(lookup.statusCode()).isEqualTo(200);
        assertThat(lookup.body()).isEqualTo(ORDER);
        assertThat(get("/ids/contentIds/2").body()).isEqualTo(REFUND);
        assertThat(get("/ids/contentIds/1/references").body()).isEqualTo("[]");
        assertThat(registry.schema(2)).contains(REFUND);
    }

    @Test
    void anUnknownIdGetsApicuriosContentNotFound() throws Exception {
        register("orders-value", ORDER);

        HttpResponse<String> lookup = get("/ids/contentIds/2147483647");

        assertThat(lookup.statusCode()).isEqualTo(404);
        assertThat(lookup.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode problem = JSON.readTree(lookup.body());
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("name").asText()).isEqualTo("ContentNotFoundException");
        assertThat(problem.path("title").asText()).isEqualTo("No content with ID '2147483647' was found.");
        assertThat(get("/ids/contentIds/2147483647/references").statusCode()).isEqualTo(404);
        assertThat(registry.schema(2147483647L)).isEmpty();
        assertThat(registry.requests()).contains("GET /apis/registry/v3/ids/contentIds/2147483647");
    }

    @Test
    void aSecondArtifactOfTheSameIdIsRefusedUnlessAskedToFindOrCreate() throws Exception {
        register("orders-value", ORDER);

        HttpResponse<String> refused = post("orders-value", REFUND, "FAIL");

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("name").asText()).isEqualTo("ArtifactAlreadyExistsException");
        assertThat(registry.schema(2)).as("a refused schema is not kept").isEmpty();
    }

    @Test
    void whatItDoesNotServeIsA404ThatSaysSo() throws Exception {
        HttpResponse<String> unserved = get("/search/artifacts");

        assertThat(unserved.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unserved.body()).path("title").asText()).contains("Not served").contains("/search/artifacts");
    }

    private JsonNode register(String artifactId, String schema) throws Exception {
        HttpResponse<String> response = post(artifactId, schema, "FIND_OR_CREATE_VERSION");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The body Apicurio's serializer posts to register a schema. */
    private HttpResponse<String> post(String artifactId, String schema, String ifExists) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("artifactId", artifactId);
        body.put("artifactType", "AVRO");
        ObjectNode content = body.putObject("firstVersion").putObject("content");
        content.put("content", schema);
        content.put("contentType", "application/json");
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + "/groups/default/artifacts?ifExists=" + ifExists
                        + "&canonical=false"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
