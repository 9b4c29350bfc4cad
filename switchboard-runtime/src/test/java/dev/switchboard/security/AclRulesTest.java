package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** Kafka's authorization rules over bindings: patterns, principals, hosts, implied operations, deny first. */
class AclRulesTest {

    private static final String ALICE = "User:alice";
    private static final String HOST = "10.0.0.7";

    @Test
    void nothingThatAppliesMeansDenied() {
        assertThat(allows(List.of(), ALICE, AclOperation.READ, "orders")).isFalse();
        assertThat(allows(List.of(binding("orders", PatternType.LITERAL, "User:bob", "*", AclOperation.READ, AclPermissionType.ALLOW)),
                ALICE, AclOperation.READ, "orders")).isFalse();
    }

    @Test
    void literalWildcardAndPrefixedPatternsApply() {
        AclBinding literal = binding("orders", PatternType.LITERAL, ALICE, "*", AclOperation.READ, AclPermissionType.ALLOW);
        AclBinding wildcard = binding("*", PatternType.LITERAL, ALICE, "*", AclOperation.WRITE, AclPermissionType.ALLOW);
        AclBinding prefixed = binding("pay", PatternType.PREFIXED, ALICE, "*", AclOperation.DELETE, AclPermissionType.ALLOW);
        List<AclBinding> bindings = List.of(literal, wildcard, prefixed);
        assertThat(allows(bindings, ALICE, AclOperation.READ, "orders")).isTrue();
        assertThat(allows(bindings, ALICE, AclOperation.READ, "orders-eu")).isFalse();
        assertThat(allows(bindings, ALICE, AclOperation.WRITE, "anything")).isTrue();
        assertThat(allows(bindings, ALICE, AclOperation.DELETE, "payments")).isTrue();
        assertThat(allows(bindings, ALICE, AclOperation.DELETE, "repay")).isFalse();
    }

    @Test
    void denyWinsOverAllowAndAllCoversEveryOperation() {
        AclBinding allowAll = binding("orders", PatternType.LITERAL, "User:*", "*", AclOperation.ALL, AclPermissionType.ALLOW);
        AclBinding denyWrite = binding("ord", PatternType.PREFIXED, ALICE, "*", AclOperation.WRITE, AclPermissionType.DENY);
        List<AclBinding> bindings = List.of(allowAll, denyWrite);
        assertThat(allows(bindings, ALICE, AclOperation.READ, "orders")).isTrue();
        assertThat(allows(bindings, ALICE, AclOperation.WRITE, "orders")).isFalse();
        assertThat(allows(bindings, "User:bob", AclOperation.WRITE, "orders")).isTrue();
    }

    @Test
    void readWriteDeleteAlterImplyDescribeAndAlterConfigsImpliesDescribeConfigs() {
        for (AclOperation granted : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER)) {
            List<AclBinding> bindings = List.of(binding("orders", PatternType.LITERAL, ALICE, "*", granted, AclPermissionType.ALLOW));
            assertThat(allows(bindings, ALICE, AclOperation.DESCRIBE, "orders")).as(granted.name()).isTrue();
            assertThat(allows(bindings, ALICE, AclOperation.DESCRIBE_CONFIGS, "orders")).as(granted.name()).isFalse();
        }
        List<AclBinding> alterConfigs = List.of(binding("orders", PatternType.LITERAL, ALICE, "*", AclOperation.ALTER_CONFIGS,
                AclPermissionType.ALLOW));
        assertThat(allows(alterConfigs, ALICE, AclOperation.DESCRIBE_CONFIGS, "orders")).isTrue();
        // A deny of READ does not deny DESCRIBE, as on a broker.
        List<AclBinding> denyRead = List.of(binding("orders", PatternType.LITERAL, ALICE, "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
                binding("orders", PatternType.LITERAL, ALICE, "*", AclOperation.READ, AclPermissionType.DENY));
        assertThat(allows(denyRead, ALICE, AclOperation.DESCRIBE, "orders")).isTrue();
    }

    @Test
    void hostsMustMatchAndSuperUsersMayDoAnything() {
        List<AclBinding> fromOneHost = List.of(binding("orders", PatternType.LITERAL, ALICE, HOST, AclOperation.READ, AclPermissionType.ALLOW));
        assertThat(allows(fromOneHost, ALICE, AclOperation.READ, "orders")).isTrue();
        assertThat(AclRules.allows(fromOneHost, Set.of(), ALICE, "10.0.0.8", AclOperation.READ, ResourceType.TOPIC, "orders")).isFalse();
        assertThat(AclRules.allows(List.of(), Set.of("User:ops"), "User:ops", HOST, AclOperation.ALTER, ResourceType.CLUSTER,
                "kafka-cluster")).isTrue();
    }

    @Test
    void bindingsTheGatewayCannotCheckAreRefusedSayingWhy() {
        AclBinding user = new AclBinding(new ResourcePattern(ResourceType.USER, "alice", PatternType.LITERAL),
                new AccessControlEntry(ALICE, "*", AclOperation.ALTER, AclPermissionType.ALLOW));
        assertThat(AclRules.invalid(user)).contains("resource type USER is not one the gateway checks");
        AclBinding noType = binding("orders", PatternType.LITERAL, "alice", "*", AclOperation.READ, AclPermissionType.ALLOW);
        assertThat(AclRules.invalid(noType)).contains("principal must be TYPE:NAME");
        assertThat(AclRules.invalid(binding("orders", PatternType.LITERAL, ALICE, "*", AclOperation.READ, AclPermissionType.ALLOW))).isNull();
    }

    private static boolean allows(List<AclBinding> bindings, String principal, AclOperation operation, String topic) {
        return AclRules.allows(bindings, Set.of(), principal, HOST, operation, ResourceType.TOPIC, topic);
    }

    private static AclBinding binding(String name, PatternType pattern, String principal, String host, AclOperation operation,
                                      AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, name, pattern),
                new AccessControlEntry(principal, host, operation, permission));
    }
}
