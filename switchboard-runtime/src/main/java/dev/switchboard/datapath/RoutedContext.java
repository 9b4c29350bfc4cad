package dev.switchboard.datapath;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.config.HostPort;
import dev.switchboard.datapath.rewrite.RewriteContext;
import dev.switchboard.intercept.ConnectionContext;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

/**
 * What one connection knows about itself: who the client is, and which cluster serves it now. Interceptors see it
 * as their {@link ConnectionContext}, rewriters as their {@link RewriteContext}. Confined to the event loop.
 */
final class RoutedContext implements ConnectionContext, RewriteContext {

    private final DataPath dataPath;
    private final Listener listener;
    private final InetSocketAddress clientAddress;
    private final NegotiatedVersions versions;
    private String clientId = "";
    private UpstreamCluster cluster;
    private Optional<String> principal = Optional.empty();

    RoutedContext(DataPath dataPath, Listener listener, InetSocketAddress clientAddress, NegotiatedVersions versions) {
        this.dataPath = dataPath;
        this.listener = listener;
        this.clientAddress = clientAddress;
        this.versions = versions;
    }

    void routedTo(UpstreamCluster routed) {
        this.cluster = routed;
    }

    /** Returns whether the client id changed. */
    boolean clientId(String id) {
        String known = id == null ? "" : id;
        if (known.equals(clientId)) {
            return false;
        }
        clientId = known;
        return true;
    }

    /** The name of the cluster serving this connection, null before it is routed; allocates nothing. */
    String clusterName() {
        return cluster == null ? null : cluster.name();
    }

    boolean identityNodeIds() {
        return dataPath.nodes().isIdentity(cluster.name());
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public String listener() {
        return listener.toString();
    }

    @Override
    public Optional<String> servingCluster() {
        return cluster == null ? Optional.empty() : Optional.of(cluster.name());
    }

    void authenticated(String authenticatedPrincipal) {
        principal = Optional.of(authenticatedPrincipal);
    }

    @Override
    public Optional<String> principal() {
        return principal;
    }

    @Override
    public Optional<String> topicName(Uuid topicId) {
        if (cluster == null) {
            return Optional.empty();
        }
        String name = dataPath.topicNames().name(cluster.name(), topicId);
        return Optional.ofNullable(name != null ? name : dataPath.topicNames().nameOnAnyCluster(topicId));
    }

    // ---- RewriteContext ---------------------------------------------------------------------------------------

    @Override
    public HostPort gatewayAddress(int nodeId, String upstreamHost, int upstreamPort) {
        return dataPath.addresses().gatewayAddress(cluster, nodeId, upstreamHost, upstreamPort);
    }

    @Override
    public int nodeId(int upstreamNodeId) {
        return dataPath.nodes().virtualId(cluster.name(), upstreamNodeId);
    }

    @Override
    public String clusterId() {
        return dataPath.clusterId();
    }

    @Override
    public void learnTopic(Uuid topicId, String name) {
        dataPath.topicNames().learn(cluster.name(), topicId, name);
    }

    @Override
    public void negotiated(List<ApiVersion> apiVersions) {
        versions.negotiated(apiVersions);
        dataPath.apiVersions().learned(cluster.name(), apiVersions);
    }
}
