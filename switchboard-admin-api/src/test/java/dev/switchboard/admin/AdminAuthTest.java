package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.AdminAuthConfig;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.FailoverConfig;
import dev.switchboard.security.AdminRole;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API is locked: anonymous calls get 401, a viewer calling failover 403, an operator's failover goes
 * through, and the audit log names the token's holder; only admins manage tokens and users; a revoked token stops
 * working. Health and metrics stay open, unless switched off.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminAuthTest {

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedKafkaCluster primary;
    private EmbeddedKafkaCluster secondary;
    private GatewayFixture fixture;
    private AdminServer admin;
    private Path auditLog;

    @BeforeAll
    void start(@KafkaCluster(name = "auth-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "auth-secondary", nodeIds = {4}) EmbeddedKafkaCluster secondary) {
        this.primary = primary;
        this.secondary = secondary;
        auditLog = dir.resolve("audit.jsonl");
        fixture = new GatewayFixture(new FailoverConfig(null, null, auditLog.toString(), null, null), primary, secondary);
        admin = AdminServer.start(fixture.gateway(), new AdminConfig("127.0.0.1", 0));
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anonymousIsRefusedViewerMayNotFailOverOperatorMay() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/api/v1/status", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"switchboard\"");
        assertThat(error(anonymous)).contains("needs a token (Authorization: Bearer <token>) with role viewer");
        assertThat(send("POST", "/api/v1/failover", null, failoverTo(secondary)).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/status", "sbt_0123456789abcdef_" + "x".repeat(43), null).statusCode()).isEqualTo(401);

        String viewer = AdminTokensForTests.of(fixture.gateway(), AdminRole.VIEWER);
        assertThat(send("GET", "/api/v1/status", viewer, null).statusCode()).isEqualTo(200);
        HttpResponse<String> viewerFailover = send("POST", "/api/v1/failover", viewer, failoverTo(secondary));
        assertThat(viewerFailover.statusCode()).isEqualTo(403);
        assertThat(error(viewerFailover)).contains("has role viewer; POST /api/v1/failover needs operator");
        assertThat(fixture.gateway().status().activeCluster()).isEqualTo(primary.name());

        String operator = fixture.gateway().adminTokens().create("release-bot", AdminRole.OPERATOR, "test").token();
        try {
            HttpResponse<String> switched = send("POST", "/api/v1/failover", operator, failoverTo(secondary));
            assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
            assertThat(fixture.gateway().status().activeCluster()).isEqualTo(secondary.name());
            assertThat(auditLines()).anySatisfy(line -> {
                assertThat(line.path("action").asText()).isEqualTo("failover");
                assertThat(line.path("result").asText()).isEqualTo("succeeded");
                assertThat(line.path("actor").asText()).startsWith("release-bot (operator token ").contains(" as auth-test from 127.0.0.1");
            });
            assertThat(auditLines()).as("the viewer's refused failover, audited with who it was").anySatisfy(line -> {
                assertThat(line.path("action").asText()).isEqualTo("admin-call");
                assertThat(line.path("result").asText()).isEqualTo("rejected");
                assertThat(line.path("actor").asText()).startsWith("viewer-for-tests (viewer token ");
                assertThat(line.path("message").asText()).startsWith("403: ");
            });
            assertThat(auditLines()).as("the anonymous refused failover").anySatisfy(line -> {
                assertThat(line.path("action").asText()).isEqualTo("admin-call");
                assertThat(line.path("actor").asText()).isEqualTo("anonymous from 127.0.0.1");
                assertThat(line.path("message").asText()).startsWith("401: ");
            });
        } finally {
            send("POST", "/api/v1/failover", operator, failoverTo(primary));
        }
        assertThat(fixture.gateway().status().activeCluster()).isEqualTo(primary.name());
    }

    @Test
    void onlyAdminsManageTokensAndUsersAndARevokedTokenStops() throws Exception {
        String operator = AdminTokensForTests.of(fixture.gateway(), AdminRole.OPERATOR);
        assertThat(send("POST", "/api/v1/tokens", operator, "{\"name\": \"sneaky\", \"role\": \"admin\"}").statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/v1/users", operator, null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/v1/tokens", operator, null).statusCode()).isEqualTo(403);

        String adminToken = AdminTokensForTests.admin(fixture.gateway());
        HttpResponse<String> created = send("POST", "/api/v1/tokens", adminToken, "{\"name\": \"dashboards\", \"role\": \"viewer\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode made = Json.MAPPER.readTree(created.body());
        String dashboards = made.path("token").asText();
        assertThat(send("GET", "/api/v1/status", dashboards, null).statusCode()).isEqualTo(200);
        HttpResponse<String> listed = send("GET", "/api/v1/tokens", adminToken, null);
        assertThat(listed.body()).contains("dashboards").doesNotContain(dashboards.substring(dashboards.lastIndexOf('_') + 1));

        HttpResponse<String> badRole = send("POST", "/api/v1/tokens", adminToken, "{\"name\": \"x\", \"role\": \"root\"}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(error(badRole)).isEqualTo("no role 'root'; roles are [viewer, operator, admin]");

        assertThat(send("DELETE", "/api/v1/tokens/" + made.path("id").asText(), adminToken, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/status", dashboards, null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/api/v1/tokens/" + made.path("id").asText(), adminToken, null).statusCode()).isEqualTo(404);
    }

    @Test
    void healthAndMetricsAreOpenUnlessSwitchedOff() throws Exception {
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/metrics", null, null).statusCode()).isEqualTo(200);
        try (AdminServer closed = AdminServer.start(fixture.gateway(),
                new AdminConfig("127.0.0.1", 0, new AdminAuthConfig(true, false, "none")))) {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closed.port() + "/metrics"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(401);
        }
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .header("X-Switchboard-Actor", "auth-test").header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String failoverTo(EmbeddedKafkaCluster cluster) {
        return "{\"to\": \"" + cluster.name() + "\", \"planned\": false}";
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body()).path("error").asText();
    }

    private List<JsonNode> auditLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(auditLog)) {
            lines.add(Json.MAPPER.readTree(line));
        }
        return lines;
    }
}
