package dev.switchboard.producerids;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.config.HostPort;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.DefaultHostResolver;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets producer ids from the clusters on the gateway's own connections, with the cluster's client properties (TLS,
 * SASL) as the gateway's Admin clients use them: one InitProducerId without a transactional id, which any broker
 * answers. Each is one round trip, on one of {@link #THREADS} threads, each with its own connection to each
 * cluster: after a switch every idempotent producer needs one at once, and one at a time a hundred of them took
 * seconds.
 *
 * <p>Why not on the client's connection: a request the client did not send would need a correlation id of the
 * gateway's among the client's, and the client's requests behind it would wait for it all the same.
 */
public final class ClusterProducerIds implements ProducerIdSource {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterProducerIds.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** As the Java producer asks for an idempotent producer's id: no transaction, so no transaction timeout. */
    private static final int NO_TRANSACTION_TIMEOUT = Integer.MAX_VALUE;
    private static final int MAX_BROKERS_TRIED = 3;
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(100);

    static final int THREADS = 8;

    private final UpstreamClusters clusters;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "switchboard-producer-ids-" + threadCount.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    /** Each thread's clients, by cluster: a NetworkClient is used by one thread only. */
    private final ThreadLocal<Map<String, NetworkClient>> clients = ThreadLocal.withInitial(HashMap::new);
    /** Every client made, to close them once the threads have stopped. */
    private final Queue<NetworkClient> made = new ConcurrentLinkedQueue<>();
    private final Time time = Time.SYSTEM;

    public ClusterProducerIds(UpstreamClusters clusters) {
        this.clusters = clusters;
    }

    @Override
    public CompletableFuture<RealProducer> obtain(String cluster) {
        return CompletableFuture.supplyAsync(() -> request(clusters.cluster(cluster)), threads);
    }

    private RealProducer request(UpstreamCluster cluster) {
        NetworkClient client = clients.get().computeIfAbsent(cluster.name(), name -> {
            NetworkClient created = client(cluster);
            made.add(created);
            return created;
        });
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            RuntimeException last = new IllegalStateException("cluster " + cluster.name() + " has no known broker");
            boolean retriable = false;
            List<Node> brokers = brokers(cluster);
            for (Node broker : brokers.subList(0, Math.min(MAX_BROKERS_TRIED, brokers.size()))) {
                try {
                    return request(client, broker);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("InitProducerId at broker {} of cluster {} failed: {}", broker, cluster.name(), e.toString());
                    last = new IllegalStateException("no producer id from cluster " + cluster.name() + " at " + broker + ": " + e, e);
                    retriable = e instanceof RetriableException;
                }
            }
            // A broker that just started answers COORDINATOR_LOAD_IN_PROGRESS until its producer id manager is ready.
            if (!retriable || System.nanoTime() + RETRY_BACKOFF.toNanos() > deadline) {
                throw last;
            }
            time.sleep(RETRY_BACKOFF.toMillis());
        }
    }

    private RealProducer request(NetworkClient client, Node broker) throws IOException {
        if (!NetworkClientUtils.awaitReady(client, broker, time, TIMEOUT.toMillis())) {
            throw new IOException("not connected within " + TIMEOUT);
        }
        InitProducerIdRequestData data = new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(NO_TRANSACTION_TIMEOUT);
        ClientRequest request = client.newClientRequest(broker.idString(), new InitProducerIdRequest.Builder(data),
                time.milliseconds(), true);
        ClientResponse response = NetworkClientUtils.sendAndReceive(client, request, time);
        if (response.wasDisconnected() || response.wasTimedOut()) {
            throw new IOException("disconnected before it answered");
        }
        InitProducerIdResponse answer = (InitProducerIdResponse) response.responseBody();
        Errors error = answer.error();
        if (error != Errors.NONE) {
            throw error.exception();
        }
        return new RealProducer(answer.data().producerId(), answer.data().producerEpoch());
    }

    /** The known brokers in random order, so a dead one does not fail every request; else the bootstrap servers. */
    private static List<Node> brokers(UpstreamCluster cluster) {
        List<Node> brokers = new ArrayList<>();
        cluster.view().nodes().forEach((id, address) -> brokers.add(new Node(id, address.host(), address.port())));
        if (brokers.isEmpty()) {
            int id = -1;
            for (HostPort server : cluster.bootstrapServers()) {
                brokers.add(new Node(id--, server.host(), server.port()));
            }
        }
        Collections.shuffle(brokers);
        return brokers;
    }

    private NetworkClient client(UpstreamCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.config().properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.config().bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-producer-ids-" + cluster.name());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        AdminClientConfig config = new AdminClientConfig(props);
        LogContext logContext = new LogContext("[switchboard-producer-ids " + cluster.name() + "] ");
        return ClientUtils.createNetworkClient(config, "switchboard-producer-ids-" + cluster.name(), new Metrics(),
                "switchboard-producer-ids", logContext, new ApiVersions(), time, 1, (int) TIMEOUT.toMillis(),
                null, new ManualMetadataUpdater(), new DefaultHostResolver(), null, null);
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Producer-id threads did not stop within {}", TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        made.forEach(client -> {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing a producer-id client failed: {}", e.toString());
            }
        });
    }
}
