package dev.switchboard.config;

import java.util.List;

/**
 * Gateway ACLs: when present, every request of a client is checked against them, as a broker checks its own, and
 * what no binding allows is refused.
 *
 * @param superUsers principals ({@code User:ops}) that may do anything
 * @param bindings   bindings to create at start unless an instance has changed them since; more are managed with
 *                   Kafka's own CreateAcls, DescribeAcls and DeleteAcls through the gateway ({@code kafka-acls.sh})
 */
public record AclConfig(List<String> superUsers, List<AclBindingConfig> bindings) {

    public AclConfig {
        superUsers = superUsers == null ? List.of() : List.copyOf(superUsers);
        for (int i = 0; i < superUsers.size(); i++) {
            ConfigException.require(superUsers.get(i) != null && superUsers.get(i).contains(":"), "superUsers[" + i + "]",
                    "must be a principal such as User:ops, was " + superUsers.get(i));
        }
        bindings = bindings == null ? List.of() : List.copyOf(bindings);
        for (int i = 0; i < bindings.size(); i++) {
            ConfigException.require(bindings.get(i) != null, "bindings[" + i + "]", "is empty");
        }
    }
}
