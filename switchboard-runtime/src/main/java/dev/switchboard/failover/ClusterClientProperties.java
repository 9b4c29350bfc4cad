package dev.switchboard.failover;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.switchboard.config.ClusterConfig;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Properties for the gateway's own Kafka clients (Admin, producer, consumer) on one upstream cluster: the
 * cluster's configured security settings, and timeouts short enough that a dead cluster costs a bounded wait.
 */
public final class ClusterClientProperties {

    private ClusterClientProperties() {
    }

    /** The cluster's properties with its bootstrap servers, {@code clientId} and {@code timeout} for every request. */
    public static Map<String, Object> of(ClusterConfig cluster, String clientId, Duration timeout) {
        Map<String, Object> props = new HashMap<>(cluster.properties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // A cluster that comes back is found again within a second.
        props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return props;
    }
}
