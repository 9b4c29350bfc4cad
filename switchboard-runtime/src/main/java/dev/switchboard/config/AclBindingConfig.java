package dev.switchboard.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL binding, in Kafka's terms.
 *
 * @param resourceType {@code topic}, {@code group}, {@code transactional-id} or {@code cluster}
 * @param name         the resource's name or prefix, {@code *} for all; {@code kafka-cluster} for the cluster
 * @param patternType  {@code literal} (the default) or {@code prefixed}
 * @param principal    {@code User:alice}, or {@code User:*} for every principal
 * @param host         the client's address, or {@code *} (the default)
 * @param operation    {@code read}, {@code write}, {@code create}, {@code delete}, {@code alter}, {@code describe},
 *                     {@code describe-configs}, {@code alter-configs}, {@code idempotent-write} or {@code all}
 * @param permission   {@code allow} (the default) or {@code deny}
 */
public record AclBindingConfig(String resourceType, String name, String patternType, String principal, String host,
                               String operation, String permission) {

    /** The resource types the gateway checks requests against. */
    static final Set<ResourceType> CHECKED = Set.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID,
            ResourceType.CLUSTER);

    public AclBindingConfig {
        ConfigException.requireText(resourceType, "resourceType");
        ConfigException.requireText(name, "name");
        ConfigException.requireText(principal, "principal");
        ConfigException.requireText(operation, "operation");
        patternType = patternType == null ? "literal" : patternType;
        host = host == null ? "*" : host;
        permission = permission == null ? "allow" : permission;
        // Fields are assigned only after this body: the parts are checked as they stand here.
        toBinding(resourceType, name, patternType, principal, host, operation, permission);
    }

    /** The binding this stands for. */
    public AclBinding binding() {
        return toBinding(resourceType, name, patternType, principal, host, operation, permission);
    }

    /** Each part that names no Kafka value is a config error naming it. */
    private static AclBinding toBinding(String resourceType, String name, String patternType, String principal, String host,
                                        String operation, String permission) {
        ResourceType type = parse(ResourceType.class, "resourceType", resourceType);
        ConfigException.require(CHECKED.contains(type), "resourceType", "must be topic, group, transactional-id or cluster, was "
                + resourceType);
        PatternType pattern = parse(PatternType.class, "patternType", patternType);
        ConfigException.require(pattern == PatternType.LITERAL || pattern == PatternType.PREFIXED, "patternType",
                "must be literal or prefixed, was " + patternType);
        AclOperation op = parse(AclOperation.class, "operation", operation);
        AclPermissionType allowOrDeny = parse(AclPermissionType.class, "permission", permission);
        ConfigException.require(principal.contains(":"), "principal", "must be TYPE:NAME such as User:alice, was " + principal);
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(principal, host, op, allowOrDeny));
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String key, String value) {
        List<String> allowed = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .filter(c -> !c.equals("any") && !c.equals("unknown") && !c.equals("match")).toList();
        String label = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        ConfigException.require(allowed.contains(label), key, "'" + value + "' is not one of " + allowed);
        return Enum.valueOf(type, label.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
