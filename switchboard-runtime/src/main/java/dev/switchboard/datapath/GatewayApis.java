package dev.switchboard.datapath;

import java.util.EnumSet;
import java.util.Set;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The Kafka APIs the gateway forwards, with the versions it understands: the stable versions of the
 * kafka-clients it is built with. ApiVersions responses are cut down to this set.
 */
public final class GatewayApis {

    /**
     * Client APIs the gateway refuses. Inter-broker APIs have no business coming from a client, and the quorum
     * APIs would hand clients controller addresses that the gateway has no port for.
     */
    static final Set<ApiKeys> WITHHELD = EnumSet.of(
            ApiKeys.WRITE_TXN_MARKERS,
            ApiKeys.INITIALIZE_SHARE_GROUP_STATE, ApiKeys.READ_SHARE_GROUP_STATE, ApiKeys.WRITE_SHARE_GROUP_STATE,
            ApiKeys.DELETE_SHARE_GROUP_STATE, ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
            ApiKeys.DESCRIBE_QUORUM, ApiKeys.ADD_RAFT_VOTER, ApiKeys.REMOVE_RAFT_VOTER);

    private static final short[] MIN = new short[Short.MAX_VALUE];
    private static final short[] MAX = new short[Short.MAX_VALUE];
    private static final boolean[] FORWARDED = new boolean[Short.MAX_VALUE];

    static {
        for (ApiKeys api : ApiKeys.clientApis()) {
            if (!WITHHELD.contains(api) && api.hasValidVersion()) {
                FORWARDED[api.id] = true;
                MIN[api.id] = api.oldestVersion();
                MAX[api.id] = api.latestVersion(false);
            }
        }
    }

    private GatewayApis() {
    }

    public static boolean forwards(int apiKey) {
        return apiKey >= 0 && apiKey < FORWARDED.length && FORWARDED[apiKey];
    }

    public static short oldestVersion(int apiKey) {
        return MIN[apiKey];
    }

    public static short latestVersion(int apiKey) {
        return MAX[apiKey];
    }
}
