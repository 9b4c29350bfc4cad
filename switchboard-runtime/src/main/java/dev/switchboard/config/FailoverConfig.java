package dev.switchboard.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How switches between the clusters behave.
 *
 * @param plannedTimeoutSeconds how long a planned switchover waits for replication to catch up before it gives up
 *                              and stays on the current cluster
 * @param wave1                 the applications whose recovery defines the recovery time: client id globs
 *                              ({@code orders-*} or {@code clientId:orders-*}) or principal globs
 *                              ({@code principal:User:payments})
 * @param auditLog              the append-only JSON-lines file every admin action is written to; none if unset
 * @param pinnedTopics          topics that must be served by one cluster only (data residency), topic name to
 *                              cluster name; while another cluster is active they are refused
 * @param mirrorAliases         each cluster's name in MirrorMaker 2's config, where it differs from the name here;
 *                              MirrorMaker 2 names its checkpoint topics after them
 * @param recovery              which applications the recovery report waits for, and how many it tracks
 */
public record FailoverConfig(Integer plannedTimeoutSeconds, List<String> wave1, String auditLog,
                             Map<String, String> pinnedTopics, Map<String, String> mirrorAliases,
                             RecoveryConfig recovery) {

    public static final int DEFAULT_PLANNED_TIMEOUT_SECONDS = 60;
    public static final FailoverConfig DEFAULT = new FailoverConfig(null, null, null, null, null);

    /** With the default recovery settings. */
    public FailoverConfig(Integer plannedTimeoutSeconds, List<String> wave1, String auditLog,
                          Map<String, String> pinnedTopics, Map<String, String> mirrorAliases) {
        this(plannedTimeoutSeconds, wave1, auditLog, pinnedTopics, mirrorAliases, null);
    }

    public FailoverConfig {
        plannedTimeoutSeconds = plannedTimeoutSeconds == null ? DEFAULT_PLANNED_TIMEOUT_SECONDS : plannedTimeoutSeconds;
        ConfigException.require(plannedTimeoutSeconds >= 1 && plannedTimeoutSeconds <= 3600, "plannedTimeoutSeconds",
                "must be between 1 and 3600, was " + plannedTimeoutSeconds);
        wave1 = wave1 == null ? List.of() : List.copyOf(wave1);
        for (int i = 0; i < wave1.size(); i++) {
            try {
                ApplicationPattern.parse(wave1.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("wave1[" + i + "]", e.getMessage());
            }
        }
        ConfigException.require(auditLog == null || !auditLog.isBlank(), "auditLog", "must be a file path when set");
        pinnedTopics = pinnedTopics == null ? Map.of() : Map.copyOf(new TreeMap<>(pinnedTopics));
        for (Map.Entry<String, String> pin : pinnedTopics.entrySet()) {
            ConfigException.require(pin.getValue() != null && !pin.getValue().isBlank(), "pinnedTopics." + pin.getKey(),
                    "must name the cluster the topic is pinned to");
        }
        mirrorAliases = mirrorAliases == null ? Map.of() : Map.copyOf(mirrorAliases);
        recovery = recovery == null ? RecoveryConfig.DEFAULT : recovery;
    }

    /** The cluster's name in MirrorMaker 2's config. */
    public String mirrorAlias(String cluster) {
        return mirrorAliases.getOrDefault(cluster, cluster);
    }
}
