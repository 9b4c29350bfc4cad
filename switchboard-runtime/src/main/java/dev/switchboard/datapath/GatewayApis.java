package dev.switchboard.datapath;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The Kafka APIs the gateway forwards, with the versions it understands: the stable versions of the
 * kafka-clients it is built with, below the first that names topics by id where an older one names them by name
 * ({@link #BY_NAME}). ApiVersions responses are cut down to this set.
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

    /**
     * The newest version of each API that names topics by name, where newer ones name them by topic id only. A topic
     * and its MirrorMaker 2 copy have different ids, and a client learns the new cluster's only from its next
     * metadata: a request sent before it, or held at the gateway across the switch, is answered UNKNOWN_TOPIC_ID.
     * For a Java producer that is worse than a retry: when its metadata changed while a Produce was in flight, it
     * cannot match the answer's topic id to its batches ("Can't find batch created for topic id") and those sends
     * hang until their delivery timeout. An offset commit by a stale id is refused. By name, a request means the same
     * on either cluster.
     *
     * <p>Fetch keeps its latest version: a group member's fetches are answered by the fence until it rejoins after a
     * switch, and a stale id in any other fetch costs the consumer one metadata refresh, while Fetch v16's leader
     * hints (KIP-951) spare it one on every leader change.
     */
    static final Map<ApiKeys, Short> BY_NAME = Map.of(
            ApiKeys.PRODUCE, (short) 12,
            ApiKeys.OFFSET_COMMIT, (short) 9,
            ApiKeys.OFFSET_FETCH, (short) 9);

    private static final short[] MIN = new short[Short.MAX_VALUE];
    private static final short[] MAX = new short[Short.MAX_VALUE];
    private static final boolean[] FORWARDED = new boolean[Short.MAX_VALUE];

    static {
        for (ApiKeys api : ApiKeys.clientApis()) {
            if (!WITHHELD.contains(api) && api.hasValidVersion()) {
                FORWARDED[api.id] = true;
                MIN[api.id] = api.oldestVersion();
                MAX[api.id] = (short) Math.min(api.latestVersion(false), BY_NAME.getOrDefault(api, Short.MAX_VALUE));
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
