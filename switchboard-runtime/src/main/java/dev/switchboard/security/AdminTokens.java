package dev.switchboard.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's bearer tokens, the same at every instance. A token is {@code sbt_<id>_<secret>}: the id finds it,
 * and only the SHA-256 of the secret is kept, so neither the shared state nor a config file holds a token that works.
 * The secret is 256 random bits, so an unsalted hash is as good as a salted one, and checking it costs one hash.
 *
 * <p>Tokens created or revoked here are shared with the other instances; theirs arrive through {@link #shared}, the
 * newest change to an id winning. Tokens from the config file are changes at the epoch.
 */
public final class AdminTokens {

    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);
    private static final Pattern TOKEN = Pattern.compile("sbt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    /** Tokens are made by admins, but a script gone wrong must not fill the heap: past this, creating one is refused. */
    public static final int MAX_TOKENS = 10_000;

    /** A token as kept and shared: its hash, never its secret. */
    public record StoredToken(String name, AdminRole role, String sha256, Instant changedAt, boolean revoked) {
    }

    /** Who a token stands for, as routes see it and the audit names it. */
    public record Identity(String id, String name, AdminRole role) {
        @Override
        public String toString() {
            return name + " (" + role.label() + " token " + id + ")";
        }
    }

    /** A token just made: the only time its secret is seen. */
    public record Created(String token, Identity identity) {
        @Override
        public String toString() {
            return "Created[identity=" + identity + ", token=(hidden)]";
        }
    }

    /** What a listing shows of a token. */
    public record TokenSummary(String id, String name, String role, Instant changedAt) {
    }

    private final Map<String, StoredToken> byId = new TreeMap<>();
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private BiConsumer<String, StoredToken> sharing = (id, token) -> { };

    public AdminTokens(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    public synchronized void share(BiConsumer<String, StoredToken> sharing) {
        this.sharing = sharing;
    }

    /** Makes a token for {@code name} with {@code role}, shares its hash, and returns it, once. */
    public synchronized Created create(String name, AdminRole role, String actor) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", name);
        request.put("role", role == null ? null : role.label());
        if (name == null || name.isBlank()) {
            audit.record(actor, "token-create", request, AuditEvent.REJECTED, "a token needs a name");
            throw new IllegalArgumentException("a token needs a name, saying whom or what it is for");
        }
        if (role == null) {
            throw new IllegalArgumentException("a token needs a role: viewer, operator or admin");
        }
        if (activeTokens() >= MAX_TOKENS) {
            audit.record(actor, "token-create", request, AuditEvent.REJECTED, "limit of " + MAX_TOKENS + " reached");
            throw new IllegalArgumentException("the gateway holds " + MAX_TOKENS + " tokens already, its limit; revoke some");
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        StoredToken stored = new StoredToken(name, role, sha256(secretText), clock.instant(), false);
        byId.put(id, stored);
        sharing.accept(id, stored);
        Identity identity = new Identity(id, name, role);
        audit.record(actor, "token-create", request, AuditEvent.SUCCEEDED, "token " + id + " for " + name + " (" + role.label() + ")");
        return new Created("sbt_" + id + "_" + secretText, identity);
    }

    /**
     * Makes {@code token} (one this gateway made before, read back from a file) known again, with {@code name} and
     * {@code role}, unless it was revoked. Returns whether it is usable.
     */
    public synchronized boolean adopt(String token, String name, AdminRole role) {
        Matcher parts = TOKEN.matcher(token.strip());
        if (!parts.matches()) {
            return false;
        }
        StoredToken known = byId.get(parts.group(1));
        if (known != null && known.revoked()) {
            LOG.warn("Admin token {} was revoked; not using it again", parts.group(1));
            return false;
        }
        if (known == null || !known.sha256().equals(sha256(parts.group(2)))) {
            StoredToken stored = new StoredToken(name, role, sha256(parts.group(2)), clock.instant(), false);
            byId.put(parts.group(1), stored);
            sharing.accept(parts.group(1), stored);
        }
        return true;
    }

    public synchronized boolean revoke(String id, String actor) {
        StoredToken known = byId.get(id);
        if (known == null || known.revoked()) {
            audit.record(actor, "token-revoke", Map.of("id", id), AuditEvent.REJECTED, "no token " + id);
            return false;
        }
        StoredToken revoked = new StoredToken(known.name(), known.role(), known.sha256(), clock.instant(), true);
        byId.put(id, revoked);
        sharing.accept(id, revoked);
        audit.record(actor, "token-revoke", Map.of("id", id), AuditEvent.SUCCEEDED, "token " + id + " of " + known.name() + " revoked");
        return true;
    }

    /** A change any instance shared; older than what is known of the id, it is ignored. */
    public synchronized void shared(String id, StoredToken change) {
        StoredToken known = byId.get(id);
        if (known == null || change.changedAt().isAfter(known.changedAt())) {
            byId.put(id, change);
        }
    }

    /** Who {@code bearer} stands for, if it is a token this gateway knows and has not revoked. */
    public synchronized Optional<Identity> authenticate(String bearer) {
        Matcher parts = TOKEN.matcher(bearer == null ? "" : bearer.strip());
        if (!parts.matches()) {
            return Optional.empty();
        }
        StoredToken known = byId.get(parts.group(1));
        if (known == null || known.revoked()) {
            return Optional.empty();
        }
        boolean matches = MessageDigest.isEqual(known.sha256().getBytes(StandardCharsets.US_ASCII),
                sha256(parts.group(2)).getBytes(StandardCharsets.US_ASCII));
        return matches ? Optional.of(new Identity(parts.group(1), known.name(), known.role())) : Optional.empty();
    }

    public synchronized boolean hasActiveTokens() {
        return activeTokens() > 0;
    }

    public synchronized List<TokenSummary> list() {
        return byId.entrySet().stream().filter(e -> !e.getValue().revoked())
                .map(e -> new TokenSummary(e.getKey(), e.getValue().name(), e.getValue().role().label(), e.getValue().changedAt()))
                .toList();
    }

    private long activeTokens() {
        return byId.values().stream().filter(token -> !token.revoked()).count();
    }

    static String sha256(String secret) {
        return HexFormat.of().formatHex(sha256Bytes(secret));
    }

    static byte[] sha256Bytes(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }
}
