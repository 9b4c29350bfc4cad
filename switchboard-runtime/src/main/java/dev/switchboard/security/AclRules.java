package dev.switchboard.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Kafka's authorization rules, over a set of ACL bindings: a binding applies to a resource when its pattern is the
 * resource's name, the wildcard {@code *}, or (prefixed) a prefix of it; to a principal when it names it or
 * {@code User:*}; to a host when it names it or {@code *}. A DENY for the operation or ALL wins over any ALLOW; an ALLOW
 * for the operation or ALL grants it, and so does one that implies it: READ, WRITE, DELETE and ALTER imply DESCRIBE,
 * ALTER_CONFIGS implies DESCRIBE_CONFIGS. Nothing that applies means denied. Super users may do anything.
 */
public final class AclRules {

    private static final Set<AclOperation> IMPLY_DESCRIBE = EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
            AclOperation.ALTER, AclOperation.DESCRIBE);
    private static final Set<AclOperation> IMPLY_DESCRIBE_CONFIGS = EnumSet.of(AclOperation.ALTER_CONFIGS, AclOperation.DESCRIBE_CONFIGS);

    private static final String WILDCARD_HOST = "*";

    private AclRules() {
    }

    /** Whether {@code principal} from {@code host} may do {@code operation} on the resource, by {@code bindings}. */
    public static boolean allows(Collection<AclBinding> bindings, Set<String> superUsers, String principal, String host,
                                 AclOperation operation, ResourceType type, String name) {
        if (superUsers.contains(principal)) {
            return true;
        }
        boolean allowed = false;
        for (AclBinding binding : bindings) {
            if (!appliesTo(binding.pattern(), type, name) || !appliesTo(binding.entry(), principal, host)) {
                continue;
            }
            AclOperation granted = binding.entry().operation();
            if (binding.entry().permissionType() == AclPermissionType.DENY) {
                if (granted == operation || granted == AclOperation.ALL) {
                    return false;
                }
            } else if (granted == operation || granted == AclOperation.ALL || implies(granted, operation)) {
                allowed = true;
            }
        }
        return allowed;
    }

    static boolean implies(AclOperation granted, AclOperation wanted) {
        return wanted == AclOperation.DESCRIBE && IMPLY_DESCRIBE.contains(granted)
                || wanted == AclOperation.DESCRIBE_CONFIGS && IMPLY_DESCRIBE_CONFIGS.contains(granted);
    }

    private static boolean appliesTo(ResourcePattern pattern, ResourceType type, String name) {
        if (pattern.resourceType() != type) {
            return false;
        }
        if (pattern.patternType() == PatternType.LITERAL) {
            return pattern.name().equals(ResourcePattern.WILDCARD_RESOURCE) || pattern.name().equals(name);
        }
        return pattern.patternType() == PatternType.PREFIXED && name.startsWith(pattern.name());
    }

    private static boolean appliesTo(AccessControlEntry entry, String principal, String host) {
        boolean principalMatches = entry.principal().equals(principal) || entry.principal().equals("User:*");
        boolean hostMatches = entry.host().equals(WILDCARD_HOST) || entry.host().equals(host);
        return principalMatches && hostMatches;
    }

    /** Why a binding cannot be stored, or null when it can: what CreateAcls answers INVALID_REQUEST with. */
    public static String invalid(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        if (!List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID, ResourceType.CLUSTER)
                .contains(pattern.resourceType())) {
            return "resource type " + pattern.resourceType() + " is not one the gateway checks (TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER)";
        }
        if (pattern.patternType() != PatternType.LITERAL && pattern.patternType() != PatternType.PREFIXED) {
            return "pattern type must be LITERAL or PREFIXED, was " + pattern.patternType();
        }
        if (pattern.name() == null || pattern.name().isEmpty()) {
            return "the resource needs a name";
        }
        if (pattern.resourceType() == ResourceType.CLUSTER && !pattern.name().equals("kafka-cluster")) {
            return "a CLUSTER resource is named kafka-cluster";
        }
        if (entry.principal() == null || !entry.principal().contains(":")) {
            return "the principal must be TYPE:NAME, such as User:alice, was " + entry.principal();
        }
        if (entry.host() == null || entry.host().isEmpty()) {
            return "the host must be an address or *";
        }
        if (entry.operation() == AclOperation.ANY || entry.operation() == AclOperation.UNKNOWN) {
            return "operation " + entry.operation() + " cannot be granted";
        }
        if (entry.permissionType() != AclPermissionType.ALLOW && entry.permissionType() != AclPermissionType.DENY) {
            return "permission must be ALLOW or DENY, was " + entry.permissionType();
        }
        return null;
    }
}
