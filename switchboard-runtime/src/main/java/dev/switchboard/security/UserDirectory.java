package dev.switchboard.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import dev.switchboard.config.UserConfig;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's users, the same at every instance: a user added or removed here is shared with the others, and
 * theirs arrive through {@link #shared}. Each change carries its time; the newest wins, whichever instance and
 * cluster it comes from, so a change made at one instance while a cluster was down still wins once it is back.
 * What is shared is the salted credential only, never a password.
 *
 * <p>Users from the config file are changes at the epoch: anything shared about the same name outranks them.
 */
public final class UserDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
    /** Users are operator-made, but a loop gone wrong must not fill the heap: past this, adding is refused. */
    public static final int MAX_USERS = 100_000;
    public static final int DEFAULT_ITERATIONS = 4096;

    /** One user's credentials per mechanism, or its removal, as shared between instances. */
    public record UserChange(Instant changedAt, Map<String, SaltedCredential> credentials, boolean removed) {
    }

    /** A SCRAM credential as stored: Base64 salt and keys. */
    public record SaltedCredential(String salt, String storedKey, String serverKey, int iterations) {

        static SaltedCredential of(ScramCredential credential) {
            Base64.Encoder b64 = Base64.getEncoder();
            return new SaltedCredential(b64.encodeToString(credential.salt()), b64.encodeToString(credential.storedKey()),
                    b64.encodeToString(credential.serverKey()), credential.iterations());
        }

        ScramCredential credential() {
            Base64.Decoder b64 = Base64.getDecoder();
            return new ScramCredential(b64.decode(salt), b64.decode(storedKey), b64.decode(serverKey), iterations);
        }
    }

    /**
     * What a listing shows of a user: its name and mechanisms, never its credentials. {@code changedAt} is null for a
     * user from the config file that nobody has changed since.
     */
    public record UserSummary(String name, List<String> mechanisms, Instant changedAt) {
    }

    private final ScramUsers users = new ScramUsers();
    private final Map<String, UserChange> latest = new TreeMap<>();
    private final AuditLog audit;
    private final Clock clock;
    private BiConsumer<String, UserChange> sharing = (name, change) -> { };

    public UserDirectory(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    public ScramUsers users() {
        return users;
    }

    /** Where changes made here go: every instance, through the shared state. */
    public synchronized void share(BiConsumer<String, UserChange> sharing) {
        this.sharing = sharing;
    }

    /** The config's users, as changes at the epoch; any shared change to the same name outranks them. */
    public synchronized void populate(List<UserConfig> configured) {
        for (UserConfig user : configured) {
            apply(user.name(), salted(user.name(), user.password(), user.mechanisms(), DEFAULT_ITERATIONS, Instant.EPOCH));
        }
    }

    /**
     * Adds {@code name} or replaces its password, for each of {@code mechanisms}, and shares it. Throws
     * {@link IllegalArgumentException} naming what is wrong.
     */
    public synchronized UserSummary put(String name, String password, List<String> mechanisms, String actor) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("user", name);
        request.put("mechanisms", mechanisms == null ? UserConfig.SCRAM_MECHANISMS : mechanisms);
        try {
            UserSummary summary = put(name, password, mechanisms);
            audit.record(actor, "user-put", request, AuditEvent.SUCCEEDED, "user " + name + " has credentials for "
                    + summary.mechanisms());
            return summary;
        } catch (IllegalArgumentException e) {
            audit.record(actor, "user-put", request, AuditEvent.REJECTED, e.getMessage());
            throw e;
        }
    }

    private UserSummary put(String name, String password, List<String> mechanisms) {
        if (name == null || name.isBlank() || !name.equals(name.strip())) {
            throw new IllegalArgumentException("a user needs a name without leading or trailing spaces");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("user " + name + " needs a password");
        }
        List<String> chosen = mechanisms == null || mechanisms.isEmpty() ? UserConfig.SCRAM_MECHANISMS : List.copyOf(mechanisms);
        for (String mechanism : chosen) {
            if (!UserConfig.SCRAM_MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException("mechanism " + mechanism + " is not one of " + UserConfig.SCRAM_MECHANISMS
                        + " (PLAIN checks a password against either)");
            }
        }
        if (!latest.containsKey(name) && activeUsers() >= MAX_USERS) {
            throw new IllegalArgumentException("the gateway holds " + MAX_USERS + " users already, its limit");
        }
        UserChange change = salted(name, password, chosen, DEFAULT_ITERATIONS, clock.instant());
        apply(name, change);
        sharing.accept(name, change);
        return summary(name, change);
    }

    /** Removes {@code name} everywhere; false when there was no such user. */
    public synchronized boolean remove(String name, String actor) {
        UserChange known = latest.get(name);
        if (known == null || known.removed()) {
            audit.record(actor, "user-remove", Map.of("user", name), AuditEvent.REJECTED, "no user " + name);
            return false;
        }
        UserChange removal = new UserChange(clock.instant(), Map.of(), true);
        apply(name, removal);
        sharing.accept(name, removal);
        audit.record(actor, "user-remove", Map.of("user", name), AuditEvent.SUCCEEDED, "user " + name + " removed");
        return true;
    }

    /** A change any instance shared; older than what is known of the name, it is ignored. */
    public synchronized void shared(String name, UserChange change) {
        UserChange known = latest.get(name);
        if (known != null && !change.changedAt().isAfter(known.changedAt())) {
            return;
        }
        try {
            apply(name, change);
        } catch (RuntimeException e) {
            LOG.warn("Unusable shared change to user {}: {}", name, e.toString());
        }
    }

    public synchronized List<UserSummary> list() {
        return latest.entrySet().stream().filter(e -> !e.getValue().removed()).map(e -> summary(e.getKey(), e.getValue())).toList();
    }

    private long activeUsers() {
        return latest.values().stream().filter(change -> !change.removed()).count();
    }

    private void apply(String name, UserChange change) {
        users.removeAll(name);
        for (Map.Entry<String, SaltedCredential> credential : change.credentials().entrySet()) {
            users.putCredential(name, credential.getKey(), credential.getValue().credential());
        }
        latest.put(name, change);
    }

    private UserChange salted(String name, String password, List<String> mechanisms, int iterations, Instant at) {
        Map<String, SaltedCredential> credentials = new LinkedHashMap<>();
        ScramUsers scratch = new ScramUsers();
        for (String mechanism : mechanisms) {
            scratch.put(name, mechanism, password, iterations);
            credentials.put(mechanism, SaltedCredential.of(scratch.credential(name, mechanism).orElseThrow()));
        }
        return new UserChange(at, credentials, false);
    }

    private static UserSummary summary(String name, UserChange change) {
        Instant changed = change.changedAt().equals(Instant.EPOCH) ? null : change.changedAt();
        return new UserSummary(name, List.copyOf(change.credentials().keySet()), changed);
    }
}
