package dev.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.config.FailoverConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.config.PortRange;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.failover.recovery.ApplicationRecovery;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.gateway.GatewayExtensions;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * A gateway on free local ports in front of embedded clusters, advertising 127.0.0.1 while the brokers
 * advertise localhost, with an {@link UpstreamAddressDetector} on every client connection.
 */
public final class GatewayFixture implements AutoCloseable {

    public static final String ADVERTISED_HOST = "127.0.0.1";

    private final Gateway gateway;
    private final UpstreamAddressDetector detector = new UpstreamAddressDetector();
    private final int bootstrapPort;
    private final PortRange nodePorts;

    /** Reaches each cluster the way the cluster says clients should: its security protocol and credentials. */
    public GatewayFixture(EmbeddedKafkaCluster... clusters) {
        this(100, clusters);
    }

    public GatewayFixture(int maxFrameKiB, EmbeddedKafkaCluster... clusters) {
        this(maxFrameKiB, EmbeddedKafkaCluster::clientSecurityProperties, null, null, false, List.of(), clusters);
    }

    /** With {@code interceptors} after the gateway's own, on every connection. */
    public static GatewayFixture withInterceptors(List<InterceptorFactory> interceptors, EmbeddedKafkaCluster... clusters) {
        return new GatewayFixture(100, EmbeddedKafkaCluster::clientSecurityProperties, null, null, false, interceptors, clusters);
    }

    /** With {@code listener.strictRequests} on. */
    public static GatewayFixture strictRequests(EmbeddedKafkaCluster... clusters) {
        return new GatewayFixture(100, EmbeddedKafkaCluster::clientSecurityProperties, null, null, true, List.of(), clusters);
    }

    /** Reaches one cluster with {@code properties} instead, e.g. a wrong password. */
    public GatewayFixture(EmbeddedKafkaCluster cluster, Map<String, String> properties) {
        this(100, c -> properties, null, null, false, List.of(), cluster);
    }

    /** Switches between the clusters as {@code failover} says; the first cluster is active by config. */
    public GatewayFixture(FailoverConfig failover, EmbeddedKafkaCluster... clusters) {
        this(100, EmbeddedKafkaCluster::clientSecurityProperties, failover, null, false, List.of(), clusters);
    }

    /**
     * One of several instances of one gateway: they present {@code clusterId}, which by default each instance
     * would derive from its own bootstrap port.
     */
    public GatewayFixture(String clusterId, FailoverConfig failover, EmbeddedKafkaCluster... clusters) {
        this(100, EmbeddedKafkaCluster::clientSecurityProperties, failover, clusterId, false, List.of(), clusters);
    }

    /** One of several instances presenting {@code clusterId}, judging health and failing over as {@code detection} says. */
    public static GatewayFixture withDetection(String clusterId, DetectionConfig detection, EmbeddedKafkaCluster... clusters) {
        return new GatewayFixture(100, EmbeddedKafkaCluster::clientSecurityProperties, null, clusterId, false, List.of(),
                detection, clusters);
    }

    private GatewayFixture(int maxFrameKiB, Function<EmbeddedKafkaCluster, Map<String, String>> properties,
                           FailoverConfig failover, String clusterId, boolean strictRequests,
                           List<InterceptorFactory> interceptors, EmbeddedKafkaCluster... clusters) {
        this(maxFrameKiB, properties, failover, clusterId, strictRequests, interceptors, null, clusters);
    }

    /** A gateway whose clients authenticate to it as {@code security} says. */
    public static GatewayFixture withSecurity(SecurityConfig security, EmbeddedKafkaCluster... clusters) {
        return new GatewayFixture(100, EmbeddedKafkaCluster::clientSecurityProperties, null, null, false, List.of(),
                null, security, clusters);
    }

    private GatewayFixture(int maxFrameKiB, Function<EmbeddedKafkaCluster, Map<String, String>> properties,
                           FailoverConfig failover, String clusterId, boolean strictRequests,
                           List<InterceptorFactory> interceptors, DetectionConfig detection, EmbeddedKafkaCluster... clusters) {
        this(maxFrameKiB, properties, failover, clusterId, strictRequests, interceptors, detection, null, clusters);
    }

    private GatewayFixture(int maxFrameKiB, Function<EmbeddedKafkaCluster, Map<String, String>> properties,
                           FailoverConfig failover, String clusterId, boolean strictRequests,
                           List<InterceptorFactory> interceptors, DetectionConfig detection, SecurityConfig security,
                           EmbeddedKafkaCluster... clusters) {
        this.bootstrapPort = FreePorts.next();
        int first = FreePorts.range(8, bootstrapPort);
        this.nodePorts = new PortRange(first, first + 7);
        List<ClusterConfig> upstreams = new ArrayList<>();
        for (EmbeddedKafkaCluster cluster : clusters) {
            upstreams.add(new ClusterConfig(cluster.name(), cluster.bootstrapServers(), properties.apply(cluster)));
            for (int nodeId : cluster.nodeIds()) {
                String address = cluster.brokerAddress(nodeId);
                detector.watch("localhost", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        GatewayConfig config = new GatewayConfig(
                new ListenerConfig("127.0.0.1", ADVERTISED_HOST, bootstrapPort, nodePorts, maxFrameKiB * 1024, clusterId,
                        strictRequests),
                new AdminConfig("127.0.0.1", 0), upstreams, clusters[0].name(), failover, null, detection, security);
        this.gateway = Gateway.start(config, new GatewayExtensions(interceptors, List.of(detector)));
    }

    public Gateway gateway() {
        return gateway;
    }

    public String bootstrap() {
        return ADVERTISED_HOST + ":" + bootstrapPort;
    }

    public int bootstrapPort() {
        return bootstrapPort;
    }

    public PortRange nodePorts() {
        return nodePorts;
    }

    /** Client properties that point at the gateway and nowhere else. */
    public Map<String, Object> clientProperties(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /**
     * Waits until the recovery report of the switch at {@code epoch} has its RTO, then checks that no application
     * known at the switch is missing and that the report lists {@code clientIds}; returns the report.
     */
    public RecoveryReport awaitEveryApplicationBack(long epoch, String... clientIds) {
        Await.until(() -> gateway.lastRecovery().filter(r -> r.epoch() == epoch && r.rtoMillis() != null).isPresent(),
                Duration.ofSeconds(90), "the recovery report to show every application back");
        RecoveryReport report = gateway.lastRecovery().orElseThrow();
        assertThat(report.notBack()).isEmpty();
        assertThat(report.applications()).extracting(ApplicationRecovery::clientId).contains(clientIds);
        return report;
    }

    public UpstreamAddressDetector detector() {
        return detector;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
