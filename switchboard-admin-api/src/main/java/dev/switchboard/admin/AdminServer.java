package dev.switchboard.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.config.AdminAuthConfig;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.health.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the admin API for one gateway. */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final Gateway gateway;
    private final ExecutorService executor;
    private final Map<String, Supplier<Response>> getRoutes = new LinkedHashMap<>();
    private final Map<String, Function<HttpExchange, Response>> postRoutes = new LinkedHashMap<>();
    private final AdminAuth auth;
    private final Optional<String> localToken;

    private AdminServer(HttpServer server, Gateway gateway, AdminAuthConfig authConfig) {
        this.server = server;
        this.gateway = gateway;
        this.auth = new AdminAuth(authConfig, gateway.adminTokens(), gateway.audit(), gateway.metrics().registry());
        this.localToken = AdminAuth.localToken(authConfig, gateway.adminTokens());
        // A planned switchover holds its request for up to its timeout; the others must still be answered meanwhile.
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "switchboard-admin");
            thread.setDaemon(true);
            return thread;
        });
        getRoutes.put("/health/live", () -> Response.json(200, Map.of("status", "live")));
        getRoutes.put("/health/ready", () -> readiness(gateway));
        getRoutes.put("/metrics", () -> new Response(200, Response.PROMETHEUS_TEXT, gateway.metrics().scrape()));
        getRoutes.put("/api/v1/status", () -> Response.json(200, gateway.status()));
        getRoutes.put("/api/v1/instances", () -> Response.json(200, gateway.instances().values()));
        getRoutes.put("/api/v1/failover/current", () -> Response.json(200, Map.of("phase", gateway.switchPhase().name(),
                "detail", gateway.switchPhase())));
        getRoutes.put("/api/v1/failover/last", () -> gateway.lastRecovery()
                .map(report -> Response.json(200, report))
                .orElseGet(() -> Response.error(404, "no switch has happened since this gateway started")));
        postRoutes.put("/api/v1/failover", exchange -> FailoverRoute.handle(gateway, exchange));
        postRoutes.put("/api/v1/failover/veto", exchange -> FailoverRoute.veto(gateway, exchange));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    public static AdminServer start(Gateway gateway, AdminConfig config) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.bindHost(), config.port()), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the admin API on " + config.bindHost() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        AdminServer admin = new AdminServer(http, gateway, config.auth());
        http.start();
        LOG.info("Admin API at http://{}:{}/", config.bindHost(), admin.port());
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The admin token kept for the CLI on this machine (see {@code admin.auth.tokenFile}), if there is one. */
    public Optional<String> localToken() {
        return localToken;
    }

    private static Response readiness(Gateway gateway) {
        var active = gateway.clusters().active();
        Verdict verdict = gateway.health();
        boolean ready = gateway.ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "ready" : "not ready");
        body.put("activeCluster", active.name());
        if (!active.view().reachable()) {
            body.put("reason", "active cluster " + active.name() + " is unreachable: " + active.view().lastError());
        } else if (!ready) {
            body.put("reason", "active cluster " + active.name() + " is judged down: " + String.join("; ", verdict.evidence()));
        }
        body.put("health", verdict.health().label());
        body.put("evidence", verdict.evidence());
        return Response.json(ready ? 200 : 503, body);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                send(exchange, route(exchange));
            } catch (RuntimeException e) {
                LOG.warn("Admin request {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
                LOG.debug("Admin request failure", e);
                answerFailure(exchange, e);
            }
        }
    }

    private Response route(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        String resource = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        Response refusal = auth.refusal(exchange, resource);
        if (refusal != null) {
            return refusal;
        }
        if (resource.equals(ChaosRoute.PREFIX) || resource.startsWith(ChaosRoute.PREFIX + "/")) {
            return ChaosRoute.handle(gateway.chaos(), exchange, resource);
        }
        if (resource.equals(UsersRoute.PREFIX) || resource.startsWith(UsersRoute.PREFIX + "/")) {
            return UsersRoute.handle(gateway.users(), exchange, resource);
        }
        if (resource.equals(TokensRoute.PREFIX) || resource.startsWith(TokensRoute.PREFIX + "/")) {
            return TokensRoute.handle(gateway.adminTokens(), exchange, resource);
        }
        Supplier<Response> route = getRoutes.get(resource);
        Function<HttpExchange, Response> post = postRoutes.get(resource);
        String method = exchange.getRequestMethod();
        if (route == null && post == null) {
            List<String> resources = new ArrayList<>(getRoutes.keySet());
            postRoutes.keySet().forEach(p -> resources.add("POST " + p));
            resources.add("GET, POST /api/v1/chaos/rules");
            resources.add("GET, PUT, DELETE /api/v1/chaos/rules/{name}");
            resources.add("POST /api/v1/chaos/reset");
            resources.add("GET /api/v1/users");
            resources.add("PUT, DELETE /api/v1/users/{name}");
            resources.add("GET, POST /api/v1/tokens");
            resources.add("DELETE /api/v1/tokens/{id}");
            return Response.json(404, Map.of("error", "no resource at " + path, "resources", resources));
        } else if (post != null && method.equals("POST")) {
            return post.apply(exchange);
        } else if (route != null && (method.equals("GET") || method.equals("HEAD"))) {
            return route.get();
        }
        String allowed = post != null ? "POST" : "GET, HEAD";
        exchange.getResponseHeaders().add("Allow", allowed);
        return Response.error(405, method + " is not allowed on " + path + "; use " + allowed);
    }

    /** A caller left without an answer cannot tell a failure from a lost connection; a 500 says which it was. */
    private static void answerFailure(HttpExchange exchange, RuntimeException e) {
        if (exchange.getResponseCode() != -1) {
            return; // the response had begun; only closing is left
        }
        try {
            send(exchange, Response.error(500, "the gateway failed to answer " + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI().getPath() + ": " + e));
        } catch (IOException | RuntimeException ignored) {
            // the connection is gone too
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
