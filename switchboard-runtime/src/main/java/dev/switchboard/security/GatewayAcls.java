package dev.switchboard.security;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The gateway's ACL bindings, the same at every instance and whichever cluster is active: one set of rules, so a
 * failover cannot meet ACLs that were never copied to the other cluster. A binding added or removed here is shared
 * with the other instances through the switch-state topic; theirs arrive through {@link #shared}, the newest change to
 * a binding winning. Bindings from the config file are changes at the epoch.
 */
public final class GatewayAcls {

    /** Bindings are made by admins, but a script gone wrong must not fill the heap: past this, adding is refused. */
    public static final int MAX_BINDINGS = 100_000;

    /** One binding, or its removal, as shared between instances. */
    public record AclChange(String resourceType, String name, String patternType, String principal, String host,
                            String operation, String permission, Instant changedAt, boolean removed) {

        static AclChange of(AclBinding binding, Instant at, boolean removed) {
            ResourcePattern pattern = binding.pattern();
            AccessControlEntry entry = binding.entry();
            return new AclChange(pattern.resourceType().name(), pattern.name(), pattern.patternType().name(), entry.principal(),
                    entry.host(), entry.operation().name(), entry.permissionType().name(), at, removed);
        }

        AclBinding binding() {
            return new AclBinding(new ResourcePattern(ResourceType.valueOf(resourceType), name, PatternType.valueOf(patternType)),
                    new AccessControlEntry(principal, host, AclOperation.valueOf(operation), AclPermissionType.valueOf(permission)));
        }
    }

    private final Map<String, AclChange> byKey = new TreeMap<>();
    private final Set<String> superUsers;
    private final AuditLog audit;
    private final Clock clock;
    private volatile List<AclBinding> active = List.of();
    private BiConsumer<String, AclChange> sharing = (key, change) -> { };

    public GatewayAcls(Set<String> superUsers, AuditLog audit, Clock clock) {
        this.superUsers = Set.copyOf(superUsers);
        this.audit = audit;
        this.clock = clock;
    }

    public synchronized void share(BiConsumer<String, AclChange> sharing) {
        this.sharing = sharing;
    }

    /** The config's bindings, as changes at the epoch: any shared change to the same binding outranks them. */
    public synchronized void populate(List<AclBinding> configured) {
        for (AclBinding binding : configured) {
            byKey.putIfAbsent(key(binding), AclChange.of(binding, Instant.EPOCH, false));
        }
        refresh();
    }

    /** Whether {@code principal} from {@code host} may do {@code operation} on the resource; lock-free. */
    public boolean allows(String principal, String host, AclOperation operation, ResourceType type, String name) {
        return AclRules.allows(active, superUsers, principal, host, operation, type, name);
    }

    /**
     * Adds each binding, or says why it cannot be: one answer per binding, null for added, in order, as CreateAcls
     * answers.
     */
    public synchronized List<String> add(List<AclBinding> bindings, String actor) {
        List<String> results = new ArrayList<>();
        for (AclBinding binding : bindings) {
            String invalid = AclRules.invalid(binding);
            if (invalid == null && active.size() >= MAX_BINDINGS) {
                invalid = "the gateway holds " + MAX_BINDINGS + " ACL bindings already, its limit";
            }
            Map<String, Object> request = describe(binding);
            if (invalid != null) {
                audit.record(actor, "acl-create", request, AuditEvent.REJECTED, invalid);
                results.add(invalid);
                continue;
            }
            AclChange change = AclChange.of(binding, clock.instant(), false);
            byKey.put(key(binding), change);
            sharing.accept(key(binding), change);
            audit.record(actor, "acl-create", request, AuditEvent.SUCCEEDED, binding.toString());
            results.add(null);
        }
        refresh();
        return results;
    }

    /** The bindings {@code filter} matches. */
    public List<AclBinding> describe(AclBindingFilter filter) {
        return active.stream().filter(filter::matches).toList();
    }

    /** Removes the bindings {@code filter} matches, and returns them. */
    public synchronized List<AclBinding> remove(AclBindingFilter filter, String actor) {
        List<AclBinding> removed = describe(filter);
        Instant at = clock.instant();
        for (AclBinding binding : removed) {
            AclChange change = AclChange.of(binding, at, true);
            byKey.put(key(binding), change);
            sharing.accept(key(binding), change);
            audit.record(actor, "acl-delete", describe(binding), AuditEvent.SUCCEEDED, binding.toString());
        }
        refresh();
        return removed;
    }

    /** A change any instance shared; older than what is known of the binding, it is ignored. */
    public synchronized void shared(String key, AclChange change) {
        AclChange known = byKey.get(key);
        if (known == null || change.changedAt().isAfter(known.changedAt())) {
            byKey.put(key, change);
            refresh();
        }
    }

    public List<AclBinding> all() {
        return active;
    }

    private void refresh() {
        active = byKey.values().stream().filter(change -> !change.removed()).map(AclChange::binding).toList();
    }

    /** The binding's key in the shared state: a hash of what it says, so any instance names it alike. */
    static String key(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        String canonical = String.join("\n", pattern.resourceType().name(), pattern.patternType().name(), pattern.name(),
                entry.principal(), entry.host(), entry.operation().name(), entry.permissionType().name());
        return HexFormat.of().formatHex(AdminTokens.sha256Bytes(canonical)).substring(0, 32);
    }

    private static Map<String, Object> describe(AclBinding binding) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("resource", binding.pattern().resourceType() + ":" + binding.pattern().patternType() + ":" + binding.pattern().name());
        request.put("principal", binding.entry().principal());
        request.put("host", binding.entry().host());
        request.put("operation", binding.entry().operation().name());
        request.put("permission", binding.entry().permissionType().name());
        return request;
    }
}
