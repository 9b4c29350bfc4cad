package dev.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka cluster running in this JVM.
 *
 * <p>The node with the lowest id runs combined (broker and the single KRaft controller); further nodes are
 * brokers only. A single voter keeps start-up sequential and fast, and is all a test or demo needs. Every node
 * keeps its ports for the cluster's lifetime, so a stopped broker comes back on the address clients know.
 *
 * <p>Data lives in a temporary directory that {@link #close()} removes.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final String clusterId;
    private final Path dataDir;
    private final Map<Integer, EmbeddedBroker> nodes;
    private final ClientListener clientListener;

    private EmbeddedKafkaCluster(String name, String clusterId, Path dataDir, Map<Integer, EmbeddedBroker> nodes,
                                 ClientListener clientListener) {
        this.name = name;
        this.clusterId = clusterId;
        this.dataDir = dataDir;
        this.nodes = nodes;
        this.clientListener = clientListener;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A one-broker cluster with default settings. */
    public static EmbeddedKafkaCluster start(String name) {
        return builder(name).start();
    }

    public String name() {
        return name;
    }

    public String clusterId() {
        return clusterId;
    }

    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** Bootstrap servers of the brokers that are running now, on the listener clients use. */
    public String bootstrapServers() {
        return addresses(clientListenerName());
    }

    /** The address clients use for one node, running or not. */
    public String brokerAddress(int nodeId) {
        return node(nodeId).address(clientListenerName());
    }

    /**
     * The address a node listens on for {@code listener}, which is where a relay in front of a
     * {@linkplain Builder#relayedListener relayed listener} forwards to; for other listeners it is the
     * advertised address.
     */
    public String listenerAddress(int nodeId, String listener) {
        return node(nodeId).boundAddress(listener);
    }

    /** Properties for an Admin, producer or consumer that talks to this cluster directly. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.putAll(clientSecurityProperties());
        return props;
    }

    /**
     * The security settings a client needs for the client listener (trust store, key store, SASL mechanism and
     * JAAS config of the first user), as Kafka client properties; empty when the listener is PLAINTEXT.
     */
    public Map<String, String> clientSecurityProperties() {
        if (clientListener == null) {
            return Map.of();
        }
        Map.Entry<String, String> user = clientListener.users().entrySet().stream().findFirst().orElse(Map.entry("", ""));
        return clientListener.clientProperties(user.getKey(), user.getValue());
    }

    /** As {@link #clientSecurityProperties()}, authenticating as {@code user} with {@code password}, right or wrong. */
    public Map<String, String> clientSecurityProperties(String user, String password) {
        return clientListener == null ? Map.of() : clientListener.clientProperties(user, password);
    }

    /** An Admin on the brokers' own PLAINTEXT listener, whatever clients use. */
    public Admin admin() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "testkit-admin-" + name);
        return Admin.create(props);
    }

    /** Bootstrap servers on the brokers' own PLAINTEXT listener, for the test kit's own clients and MirrorMaker 2. */
    String plaintextBootstrapServers() {
        return addresses(BrokerProperties.BROKER_LISTENER);
    }

    private String clientListenerName() {
        return clientListener == null ? BrokerProperties.BROKER_LISTENER : ClientListener.NAME;
    }

    private String addresses(String listener) {
        return nodes.values().stream()
                .filter(EmbeddedBroker::isRunning)
                .map(node -> node.address(listener))
                .collect(Collectors.joining(","));
    }

    /** Creates topics and waits until every partition has a leader. */
    public void createTopic(String topic, int partitions, int replicationFactor) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor)))
                    .all().get(30, TimeUnit.SECONDS);
            waitUntil(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                            .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()),
                    "leaders for " + topic);
            // The controller names a leader before that broker serves the partition; until it does, a produce gets
            // NOT_LEADER_OR_FOLLOWER, which fails a producer that never retries. ListOffsets needs the leader's replica.
            Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
            for (int partition = 0; partition < partitions; partition++) {
                ends.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            waitUntil(() -> admin.listOffsets(ends).all().get().size() == partitions, "leaders serving " + topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + topic + " on " + name, e);
        }
    }

    /** Stops one broker for real: its port closes and clients see it gone. */
    public void stopBroker(int nodeId) {
        node(nodeId).stop();
    }

    /** Restarts a stopped broker on the same ports and data. */
    public void startBroker(int nodeId) {
        node(nodeId).start();
    }

    public boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    private EmbeddedBroker node(int nodeId) {
        EmbeddedBroker node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("cluster " + name + " has no node " + nodeId + "; nodes are " + nodes.keySet());
        }
        return node;
    }

    @Override
    public void close() {
        // Brokers first, controller last: a broker's shutdown talks to the controller.
        List<EmbeddedBroker> reversed = new ArrayList<>(nodes.values());
        Collections.reverse(reversed);
        reversed.forEach(EmbeddedBroker::stop);
        deleteRecursively(dataDir);
        LOG.info("Stopped embedded Kafka cluster {}", name);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + name + " " + nodes.keySet() + " at " + bootstrapServers() + "]";
    }

    private void awaitBrokersRegistered() {
        try (Admin admin = admin()) {
            waitUntil(() -> admin.describeCluster().nodes().get().size() == nodes.size(),
                    "all " + nodes.size() + " brokers of " + name + " to register");
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitUntil(Condition condition, String what) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out after " + START_TIMEOUT + " waiting for " + what, last);
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Describes a cluster to start. */
    public static final class Builder {
        private final String name;
        private int[] nodeIds = {0};
        private final Properties overrides = new Properties();
        private SecurityProtocol clientProtocol = SecurityProtocol.PLAINTEXT;
        private String saslMechanism = "PLAIN";
        private final Map<String, String> saslUsers = new LinkedHashMap<>();
        private String certificateNames = SelfSignedKeyStores.LOCAL_NAMES;
        private boolean clientCertificates;
        private final Map<String, Map<Integer, String>> relayedListeners = new LinkedHashMap<>();

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("cluster name must not be blank");
            }
            this.name = name;
        }

        /** Brokers with ids 0..count-1. */
        public Builder brokers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a cluster needs at least one broker, got " + count);
            }
            int[] ids = new int[count];
            Arrays.setAll(ids, i -> i);
            this.nodeIds = ids;
            return this;
        }

        /** Explicit node ids, which need not be contiguous. */
        public Builder nodeIds(int... ids) {
            if (ids.length == 0 || Arrays.stream(ids).distinct().count() != ids.length || Arrays.stream(ids).anyMatch(i -> i < 0)) {
                throw new IllegalArgumentException("node ids must be distinct, non-negative and not empty: " + Arrays.toString(ids));
            }
            this.nodeIds = Arrays.stream(ids).sorted().toArray();
            return this;
        }

        /** A broker setting applied to every node. */
        public Builder brokerProperty(String key, Object value) {
            overrides.put(key, String.valueOf(value));
            return this;
        }

        /**
         * Clients reach the cluster over {@code protocol} on a listener of its own. Brokers, the controller and
         * {@link #admin()} keep using a PLAINTEXT listener.
         */
        public Builder clientSecurity(SecurityProtocol protocol) {
            this.clientProtocol = protocol;
            return this;
        }

        /** PLAIN (the default), SCRAM-SHA-256 or SCRAM-SHA-512, for SASL client listeners. */
        public Builder saslMechanism(String mechanism) {
            if (!List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512").contains(mechanism)) {
                throw new IllegalArgumentException("the test kit offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, not " + mechanism);
            }
            this.saslMechanism = mechanism;
            return this;
        }

        /** A SASL user; the first one added is the one {@link #clientSecurityProperties()} logs in as. */
        public Builder saslUser(String user, String password) {
            saslUsers.put(user, password);
            return this;
        }

        /** The subject alternative names of the brokers' certificate, in keytool's syntax. */
        public Builder certificateNames(String subjectAlternativeNames) {
            this.certificateNames = subjectAlternativeNames;
            return this;
        }

        /** Brokers require a client certificate (mutual TLS); {@link #clientSecurityProperties()} includes one. */
        public Builder requireClientCertificates() {
            this.clientCertificates = true;
            return this;
        }

        /**
         * One more PLAINTEXT listener, {@code name}, for clients that come through a TCP relay such as HAProxy:
         * each node binds a free port of its own on 127.0.0.1 but advertises {@code advertisedAddresses.get(nodeId)}
         * (host:port), the relay's address for it, so metadata sends those clients back through the relay. Other
         * listeners are unchanged. {@link #listenerAddress(int, String)} gives what the relay forwards to.
         */
        public Builder relayedListener(String name, Map<Integer, String> advertisedAddresses) {
            if (name == null || !name.matches("[A-Z][A-Z0-9_]*") || List.of(BrokerProperties.BROKER_LISTENER,
                    BrokerProperties.CONTROLLER_LISTENER, ClientListener.NAME).contains(name)) {
                throw new IllegalArgumentException("a relayed listener needs a name of its own in capitals, not " + name);
            }
            relayedListeners.put(name, Map.copyOf(advertisedAddresses));
            return this;
        }

        private void addRelayedListeners(Properties props, int nodeId) {
            relayedListeners.forEach((listener, advertised) -> BrokerProperties.addListener(props, listener, "PLAINTEXT",
                    "127.0.0.1:" + FreePorts.next(), advertised.get(nodeId)));
        }

        private void checkRelayedListeners() {
            relayedListeners.forEach((listener, advertised) -> {
                for (int nodeId : nodeIds) {
                    if (!advertised.containsKey(nodeId)) {
                        throw new IllegalArgumentException("relayed listener " + listener + " has no advertised address for node "
                                + nodeId + " of " + name);
                    }
                }
            });
        }

        private ClientListener clientListener(Path dataDir) {
            if (clientProtocol == SecurityProtocol.PLAINTEXT) {
                return null;
            }
            boolean tls = clientProtocol == SecurityProtocol.SSL || clientProtocol == SecurityProtocol.SASL_SSL;
            boolean sasl = clientProtocol == SecurityProtocol.SASL_PLAINTEXT || clientProtocol == SecurityProtocol.SASL_SSL;
            if (sasl && saslUsers.isEmpty()) {
                throw new IllegalArgumentException(clientProtocol + " needs at least one saslUser(name, password)");
            }
            if (clientCertificates && !tls) {
                throw new IllegalArgumentException("client certificates need a TLS listener, not " + clientProtocol);
            }
            Path tlsDir = dataDir.resolve("tls");
            return new ClientListener(clientProtocol, saslMechanism, saslUsers,
                    tls ? SelfSignedKeyStores.create(tlsDir, "broker", certificateNames) : null,
                    clientCertificates ? SelfSignedKeyStores.create(tlsDir, "client", SelfSignedKeyStores.LOCAL_NAMES) : null);
        }

        public EmbeddedKafkaCluster start() {
            long started = System.nanoTime();
            checkRelayedListeners();
            String clusterId = Uuid.randomUuid().toString();
            Path dataDir;
            try {
                dataDir = Files.createTempDirectory("switchboard-kafka-" + name + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a data directory for cluster " + name, e);
            }
            int controllerId = nodeIds[0];
            int controllerPort = FreePorts.next();
            ClientListener clientListener;
            try {
                clientListener = clientListener(dataDir);
            } catch (RuntimeException e) {
                deleteRecursively(dataDir);
                throw e;
            }
            Map<Integer, EmbeddedBroker> nodes = new LinkedHashMap<>();
            for (int nodeId : nodeIds) {
                Properties props = BrokerProperties.forNode(nodeId, nodeId == controllerId, controllerId, controllerPort,
                        FreePorts.next(), nodeIds.length, dataDir.resolve("node-" + nodeId));
                if (clientListener != null) {
                    clientListener.configure(props, FreePorts.next());
                }
                addRelayedListeners(props, nodeId);
                props.putAll(overrides);
                nodes.put(nodeId, new EmbeddedBroker(name, nodeId, clusterId, props, dataDir.resolve("node-" + nodeId)));
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(name, clusterId, dataDir, nodes, clientListener);
            List<String> formatArguments = clientListener == null ? List.of() : clientListener.formatArguments();
            try {
                nodes.values().forEach(node -> node.format(formatArguments));
                nodes.values().forEach(EmbeddedBroker::start);
                cluster.awaitBrokersRegistered();
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            LOG.info("Started embedded Kafka cluster {} (id {}) with nodes {} at {} in {} ms", name, clusterId,
                    nodes.keySet(), cluster.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return cluster;
        }
    }
}
