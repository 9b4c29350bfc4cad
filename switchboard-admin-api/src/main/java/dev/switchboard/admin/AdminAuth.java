package dev.switchboard.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;
import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import dev.switchboard.config.AdminAuthConfig;
import dev.switchboard.security.AdminRole;
import dev.switchboard.security.AdminTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling, and whether they may: a bearer token's role against what the call needs. Reading needs
 * {@code viewer}; changing failover and chaos needs {@code operator}; users, ACLs and tokens need {@code admin}, reading
 * them too. Refusals are counted, and refused changes audited: by the token's holder, or as anonymous, with the address.
 */
final class AdminAuth {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuth.class);
    static final String IDENTITY = "switchboard.identity";
    private static final Set<String> OPEN = Set.of("/health/live", "/health/ready", "/metrics");
    private static final Set<String> ADMIN_ONLY = Set.of(UsersRoute.PREFIX, TokensRoute.PREFIX);

    private final AdminAuthConfig config;
    private final AdminTokens tokens;
    private final AuditLog audit;
    private final MeterRegistry registry;

    AdminAuth(AdminAuthConfig config, AdminTokens tokens, AuditLog audit, MeterRegistry registry) {
        this.config = config;
        this.tokens = tokens;
        this.audit = audit;
        this.registry = registry;
        if (!config.enabled()) {
            LOG.warn("Admin API authentication is OFF (admin.auth.enabled: false): anyone who reaches it may fail over, "
                    + "change chaos rules and users");
        }
    }

    /** Null when the call may go on, its identity on the exchange; else the refusal to answer. */
    Response refusal(HttpExchange exchange, String resource) {
        if (!config.enabled() || config.openHealth() && OPEN.contains(resource)) {
            return null;
        }
        AdminRole needed = needed(exchange.getRequestMethod(), resource);
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String call = exchange.getRequestMethod() + " " + resource;
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return refuse(exchange, 401, call, null, "this call needs a token (Authorization: Bearer <token>) with role "
                    + needed.label() + " or above");
        }
        Optional<AdminTokens.Identity> identity = tokens.authenticate(header.substring(7));
        if (identity.isEmpty()) {
            return refuse(exchange, 401, call, null, "the token is not one this gateway knows, or it was revoked");
        }
        if (!identity.get().role().allows(needed)) {
            return refuse(exchange, 403, call, identity.get(), "token " + identity.get().id() + " of " + identity.get().name() + " has role "
                    + identity.get().role().label() + "; " + call + " needs " + needed.label());
        }
        exchange.setAttribute(IDENTITY, identity.get());
        return null;
    }

    static AdminRole needed(String method, String resource) {
        if (ADMIN_ONLY.stream().anyMatch(prefix -> resource.equals(prefix) || resource.startsWith(prefix + "/"))) {
            return AdminRole.ADMIN;
        }
        return method.equals("GET") || method.equals("HEAD") ? AdminRole.VIEWER : AdminRole.OPERATOR;
    }

    /** {@code who} is the token's holder when it was known but lacks the role, null when no token held. */
    private Response refuse(HttpExchange exchange, int status, String call, AdminTokens.Identity who, String why) {
        Counter.builder("switchboard.admin.refusals").description("Admin API calls refused, by HTTP status")
                .tag("status", String.valueOf(status)).register(registry).increment();
        String from = from(exchange);
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("call", call);
            audit.record((who == null ? "anonymous" : who.toString()) + " from " + from, "admin-call", request, AuditEvent.REJECTED,
                    status + ": " + why);
        } else {
            LOG.info("Admin API refused {} from {} ({}): {} {}", call, from, who == null ? "anonymous" : who, status, why);
        }
        if (status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"switchboard\"");
        }
        return Response.error(status, why);
    }

    /**
     * Who made the call, for the audit log: the token's identity, the name the caller gave itself in
     * {@value FailoverRoute#ACTOR_HEADER} (the CLI sends user@host), and the address it came from.
     */
    static String actor(HttpExchange exchange) {
        Object identity = exchange.getAttribute(IDENTITY);
        String named = exchange.getRequestHeaders().getFirst(FailoverRoute.ACTOR_HEADER);
        StringBuilder actor = new StringBuilder(identity == null ? "anonymous" : identity.toString());
        if (named != null && !named.isBlank()) {
            actor.append(" as ").append(named.strip());
        }
        return actor.append(" from ").append(from(exchange)).toString();
    }

    private static String from(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    /**
     * The token for the CLI on this machine: the one in the token file, known again, or when none is there and the
     * gateway knows no token at all, a new admin token written there. Empty when there is no file to use.
     */
    static Optional<String> localToken(AdminAuthConfig config, AdminTokens tokens) {
        Path file = config.tokenPath();
        if (!config.enabled() || file == null) {
            return Optional.empty();
        }
        try {
            if (Files.isRegularFile(file)) {
                String token = Files.readString(file).strip();
                if (tokens.adopt(token, "local-admin@" + hostName(), AdminRole.ADMIN)) {
                    LOG.info("Admin API token for the CLI on this machine: {} (used again)", file);
                    return Optional.of(token);
                }
                LOG.warn("The admin token in {} is not usable (revoked, or not a token); making a new one", file);
            } else if (tokens.hasActiveTokens()) {
                // Another instance, or an earlier run against the same clusters, made tokens: they work here too.
                LOG.info("Admin API: tokens exist in the shared state already, so none is made or written to {}; use one"
                        + " of them, or make one with `switchboard tokens create`", file);
                return Optional.empty();
            }
            String token = tokens.create("local-admin@" + hostName(), AdminRole.ADMIN, "gateway start-up").token();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path written = Files.writeString(Files.createTempFile(file.toAbsolutePath().getParent(), ".admin-token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), token + "\n");
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Admin API token for the CLI on this machine written to {} (an admin token; readable by you only)", file);
            return Optional.of(token);
        } catch (IOException e) {
            throw new UncheckedIOException("admin token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
