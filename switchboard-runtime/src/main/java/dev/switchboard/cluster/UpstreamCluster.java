package dev.switchboard.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.HostPort;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream Kafka cluster as the gateway sees it: its configuration, its brokers and its health.
 *
 * <p>A Kafka Admin client discovers the brokers and checks reachability on a timer. Metadata responses that
 * pass through the gateway also teach it broker addresses, so a broker that joins is routable as soon as any
 * client has seen it.
 */
public final class UpstreamCluster implements AutoCloseable {

    /** A transactional id nobody uses: asking for it finds, and so creates, the transaction coordinator. */
    private static final String COORDINATOR_PROBE_ID = "__switchboard-coordinator-probe";

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCluster.class);
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);

    private final ClusterConfig config;
    private final List<HostPort> bootstrapServers;
    private final AtomicReference<ClusterView> view = new AtomicReference<>(ClusterView.UNKNOWN);
    private final List<Consumer<UpstreamCluster>> nodeListeners = new CopyOnWriteArrayList<>();
    private volatile Admin admin;

    public UpstreamCluster(ClusterConfig config) {
        this.config = config;
        List<HostPort> servers = new ArrayList<>();
        for (String server : config.bootstrapServers().split(",")) {
            servers.add(HostPort.parse(server.trim(), "bootstrapServers"));
        }
        this.bootstrapServers = List.copyOf(servers);
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public ClusterView view() {
        return view.get();
    }

    public List<HostPort> bootstrapServers() {
        return bootstrapServers;
    }

    /** Called whenever this cluster learns of a node it did not know, so the gateway can open a port for it. */
    public void onNodesChanged(Consumer<UpstreamCluster> listener) {
        nodeListeners.add(listener);
    }

    /** The address of a node, if known. */
    public Optional<HostPort> nodeAddress(int nodeId) {
        return Optional.ofNullable(view.get().nodes().get(nodeId));
    }

    /**
     * Where a bootstrap connection goes: a known broker if any, else a configured bootstrap server. Picked at
     * random so bootstrap load spreads and one dead broker does not stop every client.
     */
    public HostPort bootstrapTarget() {
        List<HostPort> known = new ArrayList<>(view.get().nodes().values());
        List<HostPort> candidates = known.isEmpty() ? bootstrapServers : known;
        return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    }

    /** Records broker addresses seen in a response. Cheap when nothing changed, which is almost always. */
    public void learnNode(int nodeId, String host, int port) {
        HostPort known = view.get().nodes().get(nodeId);
        if (known != null && known.port() == port && known.host().equals(host)) {
            return;
        }
        HostPort address = new HostPort(host, port);
        view.updateAndGet(v -> {
            Map<Integer, HostPort> nodes = new HashMap<>(v.nodes());
            nodes.put(nodeId, address);
            return new ClusterView(v.clusterId(), nodes, v.reachable(), v.lastError(), v.checkedAt());
        });
        LOG.info("Cluster {} node {} is at {}", name(), nodeId, address);
        nodeListeners.forEach(l -> l.accept(this));
    }

    /** Asks the cluster for its brokers and id. Never throws: failure marks the cluster unreachable. */
    public CompletableFuture<ClusterView> discover() {
        DescribeClusterResult result = admin().describeCluster();
        CompletableFuture<ClusterView> done = new CompletableFuture<>();
        result.nodes().toCompletionStage().thenCombine(result.clusterId().toCompletionStage(), (nodes, id) -> {
            Map<Integer, HostPort> addresses = new HashMap<>();
            for (Node node : nodes) {
                addresses.put(node.id(), new HostPort(node.host(), node.port()));
            }
            return new ClusterView(id, addresses, true, null, Instant.now());
        }).whenComplete((fresh, error) -> {
            ClusterView previous = view.get();
            ClusterView next = error == null ? fresh : new ClusterView(previous.clusterId(), previous.nodes(), false,
                    rootMessage(error), Instant.now());
            view.set(next);
            if (previous.reachable() != next.reachable()) {
                if (next.reachable()) {
                    LOG.info("Cluster {} is reachable: id {}, nodes {}", name(), next.clusterId(), next.nodes());
                } else {
                    LOG.warn("Cluster {} is unreachable: {}", name(), next.lastError());
                }
            }
            if (!previous.nodes().keySet().containsAll(next.nodes().keySet())) {
                nodeListeners.forEach(l -> l.accept(this));
            }
            done.complete(next);
        });
        return done;
    }

    /**
     * Asks the cluster for its brokers and controller, and for the leaders of {@code topics}. Never throws: a cluster
     * where no broker answers gives an unreachable probe; a topic that cannot be described (deleted meanwhile) is left
     * out.
     */
    public CompletableFuture<ClusterProbe> probe(Collection<String> topics) {
        DescribeClusterResult cluster = admin().describeCluster();
        CompletableFuture<ClusterProbe> done = new CompletableFuture<>();
        cluster.nodes().toCompletionStage().thenCombine(cluster.controller().toCompletionStage(), (nodes, controller) ->
                        new ClusterProbe(true, null, nodes.size(), controller != null && !controller.isEmpty(), List.of(), Instant.now()))
                .thenCompose(reached -> leaderless(topics).thenApply(partitions -> new ClusterProbe(true, null, reached.brokers(),
                        reached.controllerKnown(), partitions, Instant.now())))
                .whenComplete((probe, error) -> done.complete(error == null ? probe : ClusterProbe.unreachable(rootMessage(error))));
        return done;
    }

    /** The partitions of {@code topics} without a leader; a topic that cannot be described is left out. */
    private CompletableFuture<List<String>> leaderless(Collection<String> topics) {
        if (topics.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<String> leaderless = new CopyOnWriteArrayList<>();
        CompletableFuture<?>[] described = admin().describeTopics(topics).topicNameValues().values().stream()
                .map(topic -> topic.toCompletionStage().toCompletableFuture().handle((description, error) -> {
                    if (description != null) {
                        description.partitions().stream().filter(p -> p.leader() == null || p.leader().isEmpty())
                                .forEach(p -> leaderless.add(description.name() + "-" + p.partition()));
                    }
                    return null;
                }))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(described).thenApply(all -> List.copyOf(leaderless));
    }

    /**
     * Makes sure the cluster has a transaction coordinator, which Kafka creates with its {@code __transaction_state}
     * topic on the first FindCoordinator for a transaction. A cluster that never saw a transaction has none; a
     * transactional producer moved to it by a switch then has each write refused as retriable
     * (NOT_ENOUGH_REPLICAS, coordinator not available) until its {@code delivery.timeout.ms}, two minutes, instead
     * of learning at once that its producer id is unknown there. Asks without waiting; the answer is logged.
     */
    public void ensureTransactionCoordinator() {
        admin().describeTransactions(List.of(COORDINATOR_PROBE_ID)).all().whenComplete((found, error) -> {
            Throwable cause = error != null && error.getCause() != null ? error.getCause() : error;
            if (cause == null || cause instanceof TransactionalIdNotFoundException) {
                LOG.info("Cluster {} has a transaction coordinator", name());
            } else {
                LOG.warn("Cluster {} did not show a transaction coordinator: {}", name(), rootMessage(cause));
            }
        });
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> props = new HashMap<>(config.properties());
                    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
                    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-discovery-" + name());
                    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DISCOVERY_TIMEOUT.toMillis());
                    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DISCOVERY_TIMEOUT.toMillis());
                    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
                    admin = Admin.create(props);
                }
                current = admin;
            }
        }
        return current;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    public void close() {
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public String toString() {
        return "UpstreamCluster[" + name() + "]";
    }
}
