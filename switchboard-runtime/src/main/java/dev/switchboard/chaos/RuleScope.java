package dev.switchboard.chaos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.switchboard.intercept.ConnectionContext;

/**
 * Which requests a rule is for. Every part is optional, and the parts combine with AND. Patterns are Java regular
 * expressions matched against the whole value; {@code clientAddress} is an address block.
 */
public record RuleScope(String cluster, Pattern topic, Pattern group, Pattern clientId, Cidr clientAddress,
                        Pattern principal) {

    public static final RuleScope EVERYTHING = new RuleScope(null, null, null, null, null, null);

    /**
     * Whether a connection can be in scope at all, from what is known of it; topic and group are decided per request.
     * Before a connection is routed, a rule for one cluster does not apply to it.
     */
    public boolean admits(ConnectionContext connection) {
        if (cluster != null && !connection.servingCluster().map(cluster::equals).orElse(false)) {
            return false;
        }
        if (clientId != null && !clientId.matcher(connection.clientId() == null ? "" : connection.clientId()).matches()) {
            return false;
        }
        if (clientAddress != null && (connection.clientAddress() == null
                || !clientAddress.contains(connection.clientAddress().getAddress()))) {
            return false;
        }
        return principal == null || connection.principal().map(p -> principal.matcher(p).matches()).orElse(false);
    }

    /** Whether this scope takes in every client of {@code clusterName}: no part but the cluster is set. */
    public boolean coversWholeCluster(String clusterName) {
        return (cluster == null || cluster.equals(clusterName)) && topic == null && group == null && clientId == null
                && clientAddress == null && principal == null;
    }

    public boolean topicMatches(String name) {
        return topic == null || (name != null && topic.matcher(name).matches());
    }

    /** A null group (a request without one, whose client was never seen in a group) is in scope of no group pattern. */
    public boolean groupMatches(String name) {
        return group == null || (name != null && group.matcher(name).matches());
    }

    /** As rules are written: only the parts that are set. */
    public Map<String, String> asMap() {
        Map<String, String> parts = new LinkedHashMap<>();
        Optional.ofNullable(cluster).ifPresent(v -> parts.put("cluster", v));
        Optional.ofNullable(topic).ifPresent(v -> parts.put("topic", v.pattern()));
        Optional.ofNullable(group).ifPresent(v -> parts.put("group", v.pattern()));
        Optional.ofNullable(clientId).ifPresent(v -> parts.put("clientId", v.pattern()));
        Optional.ofNullable(clientAddress).ifPresent(v -> parts.put("clientAddress", v.text()));
        Optional.ofNullable(principal).ifPresent(v -> parts.put("principal", v.pattern()));
        return parts;
    }
}
