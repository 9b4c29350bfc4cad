package dev.switchboard.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import dev.switchboard.chaos.ChaosInterceptor;
import dev.switchboard.chaos.ChaosRules;
import dev.switchboard.chaos.RuleParser;
import dev.switchboard.chaos.faults.FaultTypes;
import dev.switchboard.cluster.VirtualNodes;
import dev.switchboard.datapath.TopicNames;
import dev.switchboard.alert.AlertChannels;
import dev.switchboard.config.AutoFailoverConfig;
import dev.switchboard.config.DetectionConfig;
import dev.switchboard.failover.AutoFailover;
import dev.switchboard.failover.AutoFailoverEvent;
import dev.switchboard.failover.AutoFailoverState;
import dev.switchboard.failover.ClusterSwitch;
import dev.switchboard.failover.recovery.SwitchDecision;
import dev.switchboard.health.BrokerErrors;
import dev.switchboard.health.Health;
import dev.switchboard.health.HealthJudge;
import dev.switchboard.health.Verdict;
import dev.switchboard.failover.InstanceReport;
import dev.switchboard.failover.MirrorMakerReplication;
import dev.switchboard.failover.NodeMap;
import dev.switchboard.failover.CommittedOffsetsGuard;
import dev.switchboard.failover.FetchFence;
import dev.switchboard.failover.PinnedTopics;
import dev.switchboard.failover.ProduceHold;
import dev.switchboard.failover.RejoinGathering;
import dev.switchboard.failover.SwitchFence;
import dev.switchboard.failover.SwitchPhase;
import dev.switchboard.failover.SwitchRefused;
import dev.switchboard.failover.recovery.RecoverySignals;
import dev.switchboard.failover.recovery.RecoveryReport;
import dev.switchboard.failover.recovery.RecoveryTracker;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.interceptors.StrictRequests;
import dev.switchboard.producerids.ClusterProducerIds;
import dev.switchboard.producerids.ProducerBindings;
import dev.switchboard.producerids.VirtualProducerIds;
import dev.switchboard.producerids.VirtualProducers;

import dev.switchboard.cluster.ClusterView;
import dev.switchboard.cluster.UpstreamCluster;
import dev.switchboard.cluster.UpstreamClusters;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.datapath.AddressRewriter;
import dev.switchboard.datapath.ConnectionInfo;
import dev.switchboard.datapath.ClientSasl;
import dev.switchboard.datapath.ClusterApiVersions;
import dev.switchboard.datapath.ConnectionRegistry;
import dev.switchboard.datapath.PipelineExtension;
import dev.switchboard.security.AclEnforcement;
import dev.switchboard.security.AdminTokens;
import dev.switchboard.security.ConnectionStormGuard;
import dev.switchboard.security.GatewayAcls;
import dev.switchboard.security.ListenerTls;
import dev.switchboard.security.GatewaySasl;
import dev.switchboard.security.UserDirectory;
import dev.switchboard.config.AclBindingConfig;
import dev.switchboard.config.AclConfig;
import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.ConnectionLimitsConfig;
import dev.switchboard.datapath.DataPath;
import dev.switchboard.datapath.GatewayServer;
import dev.switchboard.datapath.Listener;
import dev.switchboard.datapath.NodePortMap;
import dev.switchboard.datapath.Transport;
import dev.switchboard.datapath.UpstreamConnector;
import dev.switchboard.datapath.rewrite.ResponseRewriters;
import dev.switchboard.failover.SwitchState;
import dev.switchboard.failover.SwitchStateStore;
import dev.switchboard.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: listeners, data path, upstream clusters, metrics, and its part in switches, started from
 * one config.
 *
 * <p>Every instance follows the switch-state topic on every cluster and applies each newer state: a produce
 * hold, or a new active cluster, for which it closes every client connection so clients reconnect to it. A
 * switch requested at this instance ({@link #failover}) is written there first and applied like any other.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(5);
    private static final Duration FIRST_DISCOVERY_WAIT = Duration.ofSeconds(15);
    private static final Duration STATE_CATCH_UP_WAIT = Duration.ofSeconds(10);
    private static final Duration REPORT_INTERVAL = Duration.ofSeconds(2);
    private static final ObjectMapper CHAOS_JSON = new ObjectMapper();
    private static final ObjectMapper SHARED_JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final UpstreamClusters clusters;
    private final GatewayServer server;
    private final NodePortMap nodePorts;
    private final VirtualNodes virtualNodes = new VirtualNodes();
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private final Clock clock = Clock.systemUTC();
    private final SwitchFence fence;
    private final RejoinGathering rejoinGathering;
    private final ProduceHold produceHold;
    private final CommittedOffsetsGuard offsetsGuard;
    private final RecoveryTracker recovery;
    private final AuditLog audit;
    private final SwitchStateStore store;
    private final MirrorMakerReplication replication;
    private final ClusterSwitch clusterSwitch;
    private final ChaosRules chaos;
    private final UserDirectory users;
    private final AdminTokens adminTokens;
    /** Null when clients speak plaintext to the listener. */
    private final ListenerTls listenerTls;
    /** Null when the config sets no connection limits. */
    private final ConnectionStormGuard stormGuard;
    /** Null when the config has no ACLs: then nothing is checked. */
    private final GatewayAcls acls;
    private final ClusterProducerIds producerIdSource;
    private final ProducerBindings producerBindings;
    private final AlertChannels alerts;
    private final BrokerErrors brokerErrors;
    private final HealthJudge health;
    private final AutoFailover autoFailover;
    private final String instanceId = UUID.randomUUID().toString();
    private final Instant startedAt = Instant.now();
    private final Map<String, InstanceReport> instances = new ConcurrentHashMap<>();
    private final List<Consumer<ClusterSwitch.Outcome>> switchListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "switchboard-instance-report");
        thread.setDaemon(true);
        return thread;
    });
    private static final long TAKE_SWITCH_WAIT_MILLIS = 1_000;

    private volatile SwitchState switchState;
    private volatile long holdingEpoch = -1;
    /** False while start-up reads the switch-state history; the newest state read then is applied once. */
    private boolean followingLive;
    private SwitchState startupState;

    private Gateway(GatewayConfig config, GatewayExtensions extensions) {
        this.config = config;
        ListenerConfig listener = config.listener();
        Transport transport = Transport.best();
        // Built before anything starts a thread: it reads key stores, and a failure must leave nothing running.
        UpstreamConnector connector = new UpstreamConnector(transport, GatewayServer.WATER_MARK, config.clusters());
        this.metrics = new GatewayMetrics();
        this.audit = new AuditLog(config.failover().auditLog() == null ? null : Path.of(config.failover().auditLog()),
                metrics.registry(), clock);
        this.clusters = new UpstreamClusters(config.clusters(), config.activeCluster());
        // Loaded here too, before any thread: a certificate that does not load stops start-up.
        this.listenerTls = config.security().tls() == null ? null : new ListenerTls(config.security().tls(), metrics.registry());
        List<PipelineExtension> pipeline = new ArrayList<>();
        if (listenerTls != null) {
            pipeline.add(listenerTls);
        }
        pipeline.addAll(extensions.pipeline());
        this.server = new GatewayServer(transport, Runtime.getRuntime().availableProcessors(), listener.bindHost(), pipeline);
        this.nodePorts = new NodePortMap(listener.nodePorts(), (nodeId, port) -> server.openAsync(new Listener.Node(nodeId, port)));
        this.recovery = new RecoveryTracker(config.failover().wave1(), config.failover().recovery(), clock, metrics.registry());
        this.fence = new SwitchFence(clock, metrics.registry());
        this.rejoinGathering = new RejoinGathering(clock, metrics.registry());
        this.produceHold = new ProduceHold(clock);
        this.offsetsGuard = new CommittedOffsetsGuard(clock, metrics.registry());
        this.store = new SwitchStateStore(config.clusters());
        this.replication = new MirrorMakerReplication(config);
        this.producerIdSource = new ClusterProducerIds(clusters);
        this.producerBindings = new ProducerBindings(producerIdSource, ProducerBindings.Limits.DEFAULT, clock, metrics.registry());
        this.users = new UserDirectory(audit, clock);
        this.adminTokens = new AdminTokens(audit, clock);
        ConnectionLimitsConfig limits = config.security().connectionLimits();
        this.stormGuard = limits == null ? null : new ConnectionStormGuard(limits, System::nanoTime, clock, metrics.registry());
        AclConfig aclConfig = config.security().acls();
        this.acls = aclConfig == null ? null : new GatewayAcls(Set.copyOf(aclConfig.superUsers()), audit, clock);
        this.chaos = new ChaosRules(new RuleParser(FaultTypes.ALL, config.chaos().ruleDuration()), audit, metrics.registry(), clock);
        this.clusterSwitch = new ClusterSwitch(config, store, replication, this::apply, () -> clusters.active().name(),
                () -> Map.copyOf(instances), clock);
        DetectionConfig detection = config.detection();
        this.alerts = new AlertChannels(detection.alerts(), metrics.registry());
        this.brokerErrors = new BrokerErrors(metrics.registry());
        this.health = new HealthJudge(detection, clusters, brokerErrors, metrics, alerts, chaos::simulatedOutages, instanceId, clock);
        this.autoFailover = new AutoFailover(detection.autoFailover(), store::publish, () -> switchState == null ? 0 : switchState.epoch(),
                () -> clusters.active().name(), (target, decision) -> failover(target, false, decision.decidedBy(), decision),
                alerts, instanceId, clock);
        server.attach(new DataPath(clusters, new AddressRewriter(listener.advertisedHost(), nodePorts, virtualNodes),
                ResponseRewriters.standard(), connector, connections, metrics, listener.maxFrameBytes(), virtualNodes,
                listener.clusterId(), new TopicNames(metrics), interceptors(extensions), clientSasl(), new ClusterApiVersions(),
                stormGuard));
    }

    /** The SASL the listener terminates, over the gateway's users; null when clients do not authenticate to it. */
    private ClientSasl clientSasl() {
        ClientSaslConfig sasl = config.security().sasl();
        return sasl == null ? null : new GatewaySasl(sasl, users.users());
    }

    /**
     * The interceptors every connection gets, in the order requests meet them: strict parsing first, so nothing else
     * reads a malformed request; then the gateway's ACLs, so nothing acts on a request they refuse; then the storm
     * guard's producer-id rate; then failover's; then chaos, so failover's own answers are never faulted and its
     * recovery signals see what chaos did to clients; then the extensions'; last, closest to the cluster, the count of
     * broker errors, so it sees responses as the brokers sent them.
     */
    private List<InterceptorFactory> interceptors(GatewayExtensions extensions) {
        List<InterceptorFactory> interceptors = new ArrayList<>();
        if (config.listener().strictRequests()) {
            interceptors.add(new StrictRequests(metrics.registry()));
        }
        if (acls != null) {
            interceptors.add(new AclEnforcement(acls, metrics.registry()));
        }
        if (stormGuard != null) {
            interceptors.add(stormGuard); // after the ACLs: what they refuse takes no turn
        }
        interceptors.add(new RecoverySignals(recovery));
        interceptors.add(produceHold);
        interceptors.add(new PinnedTopics(config.failover().pinnedTopics()));
        interceptors.add(new VirtualProducers(new VirtualProducerIds(config.clusters().stream().map(ClusterConfig::name).toList()),
                producerBindings, clock));
        interceptors.add(rejoinGathering);
        interceptors.add(new FetchFence(fence));
        interceptors.add(offsetsGuard);
        interceptors.add(new ChaosInterceptor(chaos));
        interceptors.addAll(extensions.interceptors());
        interceptors.add(brokerErrors);
        return interceptors;
    }

    public static Gateway start(GatewayConfig config) {
        return start(config, GatewayExtensions.NONE);
    }

    /**
     * Starts the gateway. Waits a bounded time for the first discovery of the clusters so the known nodes'
     * ports are open before the bootstrap port is, then opens the bootstrap port. An unreachable cluster does
     * not stop start-up; it shows as not ready.
     */
    public static Gateway start(GatewayConfig config, GatewayExtensions extensions) {
        Gateway gateway = new Gateway(config, extensions);
        try {
            gateway.startListening();
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private void startListening() {
        try {
            clusters.startDiscovery(DISCOVERY_INTERVAL).get(FIRST_DISCOVERY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Clusters not discovered within {}; starting anyway", FIRST_DISCOVERY_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while discovering clusters", e);
        } catch (ExecutionException e) {
            LOG.warn("Cluster discovery failed: {}", e.getCause().toString());
        }
        followSwitchState();
        chaos.share((name, change) -> store.publish(SwitchStateStore.CHAOS_KEY_PREFIX + name, change));
        audit.alsoTo(store::audit);
        users.populate(config.security().users());
        users.share((name, change) -> store.publish(SwitchStateStore.USER_KEY_PREFIX + name, change));
        adminTokens.share((id, token) -> store.publish(SwitchStateStore.TOKEN_KEY_PREFIX + id, token));
        if (acls != null) {
            acls.populate(config.security().acls().bindings().stream().map(AclBindingConfig::binding).toList());
            acls.share((key, change) -> store.publish(SwitchStateStore.ACL_KEY_PREFIX + key, change));
        }
        chaos.reachConnections(connections::closeWhere);
        chaos.populate(ChaosRulesFile.load(config.chaos()));
        // In the configured order, so the first cluster keeps its own node ids on every instance.
        for (UpstreamCluster cluster : clusters.all()) {
            nodePorts.assignAll(virtualNodes.map(cluster.name(), cluster.view().nodes().keySet()).values());
        }
        // Only now: mapped as discovery finished, a cluster that answered first would keep its own ids.
        for (UpstreamCluster cluster : clusters.all()) {
            cluster.onNodesChanged(c -> nodePorts.assignAll(virtualNodes.map(c.name(), c.view().nodes().keySet()).values()));
        }
        virtualNodes.onChange(mapping -> store.publish(SwitchStateStore.NODES_KEY, new NodeMap(mapping, nodePorts.snapshot())));
        store.publish(SwitchStateStore.NODES_KEY, new NodeMap(virtualNodes.snapshot(), nodePorts.snapshot()));
        replication.start(clusters.active().name());
        reporter.scheduleWithFixedDelay(this::report, 0, REPORT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        reporter.scheduleWithFixedDelay(producerBindings::expireIdle, 1, 1, TimeUnit.MINUTES);
        if (listenerTls != null) {
            long every = config.security().tls().reloadCheck().toMillis();
            reporter.scheduleWithFixedDelay(listenerTls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
        health.onVerdict(autoFailover::verdict);
        health.start();
        for (Map.Entry<Integer, Integer> node : nodePorts.snapshot().entrySet()) {
            server.open(new Listener.Node(node.getKey(), node.getValue()));
        }
        server.open(new Listener.Bootstrap(config.listener().bootstrapPort()));
        UpstreamCluster active = clusters.active();
        LOG.info("Gateway ready at {}:{} in front of cluster {} ({})", config.listener().advertisedHost(),
                config.listener().bootstrapPort(), active.name(),
                active.view().reachable() ? "reachable" : "unreachable: " + active.view().lastError());
    }

    /**
     * A switch any instance recorded outranks the config file, so a new instance starts where the others are.
     * Only clusters that answered discovery are waited for, so a dead cluster costs start-up nothing more.
     */
    private void followSwitchState() {
        store.follow(new SwitchStateStore.Listener() {
            @Override
            public void switchState(String cluster, SwitchState state) {
                synchronized (Gateway.this) {
                    if (!followingLive) {
                        // Start-up reads history; only the newest state counts, and nothing has happened to clients.
                        startupState = startupState == null ? state : SwitchStateStore.higher(startupState, state);
                        return;
                    }
                }
                apply(state);
            }

            @Override
            public void nodeMap(String cluster, NodeMap nodes) {
                virtualNodes.adopt(nodes.clusters());
                List<Integer> conflicts = nodePorts.adopt(nodes.ports());
                if (!conflicts.isEmpty()) {
                    LOG.warn("Virtual nodes {} have other ports here than another instance recorded", conflicts);
                }
            }

            @Override
            public void chaosRule(String cluster, String name, String json) {
                try {
                    chaos.shared(name, CHAOS_JSON.readTree(json));
                } catch (IOException e) {
                    LOG.warn("Unreadable chaos rule {} in the switch state on cluster={}: {}", name, cluster, e.toString());
                }
            }

            @Override
            public void user(String cluster, String name, String json) {
                readShared(cluster, "user " + name, json, UserDirectory.UserChange.class, change -> users.shared(name, change));
            }

            @Override
            public void acl(String cluster, String key, String json) {
                if (acls != null) {
                    readShared(cluster, "ACL binding " + key, json, GatewayAcls.AclChange.class, change -> acls.shared(key, change));
                }
            }

            @Override
            public void adminToken(String cluster, String id, String json) {
                readShared(cluster, "admin token " + id, json, AdminTokens.StoredToken.class, token -> adminTokens.shared(id, token));
            }

            @Override
            public void autoFailover(String cluster, AutoFailoverEvent event) {
                autoFailover.event(cluster, event);
            }

            @Override
            public void instanceReport(String cluster, InstanceReport report) {
                instances.merge(report.instanceId(), report,
                        (a, b) -> b.reportedAt().isAfter(a.reportedAt()) ? b : a);
            }
        });
        List<String> reachable = clusters.all().stream().filter(c -> c.view().reachable()).map(UpstreamCluster::name).toList();
        try {
            if (!store.awaitCaughtUp(reachable, STATE_CATCH_UP_WAIT)) {
                LOG.warn("Switch state not read from every reachable cluster within {}", STATE_CATCH_UP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the switch state", e);
        }
        synchronized (this) {
            followingLive = true;
            if (startupState != null && config.cluster(startupState.activeCluster()).isEmpty()) {
                LOG.warn("Switch state epoch={} names cluster={}, which this gateway's config does not have; staying on {}",
                        startupState.epoch(), startupState.activeCluster(), clusters.active().name());
            } else if (startupState != null) {
                // Recorded switches may have left clients with producer ids of another cluster.
                producerBindings.switchHappened();
                switchState = startupState;
                clusters.activate(startupState.activeCluster());
                fence.epoch(startupState.epoch());
                if (startupState.hold() != null && clock.instant().isBefore(startupState.hold().until())) {
                    produceHold.hold(startupState.hold().until());
                    holdingEpoch = startupState.epoch();
                }
                LOG.info("Following switch state epoch={}: active cluster is {} (config says {})", startupState.epoch(),
                        startupState.activeCluster(), config.activeCluster());
            }
        }
    }

    /** A record of the shared state read as {@code type}; one that does not read is logged and left out. */
    private static <T> void readShared(String cluster, String what, String json, Class<T> type, Consumer<T> apply) {
        try {
            apply.accept(SHARED_JSON.readValue(json, type));
        } catch (IOException e) {
            LOG.warn("Unreadable {} in the switch state on cluster={}: {}", what, cluster, e.toString());
        }
    }

    /**
     * Waits, briefly, for every client connection to have taken a switch on its event loop. Bounded, so that an event
     * loop busy for long (or this very thread being one) costs the switch a second, not its completion.
     */
    private static void awaitTaken(ConnectionRegistry.Told told, SwitchState state) {
        try {
            told.all().get(TAKE_SWITCH_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Not every client connection took the switch to {} (epoch={}) within {} ms; the rest take it when their"
                    + " event loop gets to it", state.activeCluster(), state.epoch(), TAKE_SWITCH_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("telling connections of the switch failed", e.getCause());
        }
    }

    /**
     * Applies a switch state read from any cluster or written here, once; older ones are ignored. Returns the
     * client connections closed because the active cluster changed.
     */
    private synchronized int apply(SwitchState state) {
        SwitchState current = switchState;
        if (current != null && SwitchStateStore.higher(current, state) == current) {
            // The follower may read back a state this instance wrote before the writer applies it; the recovery
            // report of that switch already counted the connections it closed.
            return current.equals(state) ? recovery.lastSwitch().filter(report -> report.epoch() == state.epoch())
                    .map(RecoveryReport::connectionsClosed).orElse(0) : 0;
        }
        if (config.cluster(state.activeCluster()).isEmpty()) {
            LOG.warn("Switch state epoch={} names cluster={}, which this gateway's config does not have; staying on {}",
                    state.epoch(), state.activeCluster(), clusters.active().name());
            return 0;
        }
        fence.epoch(state.epoch());
        String previous = clusters.active().name();
        int closed = 0;
        boolean clusterChanges = !previous.equals(state.activeCluster());
        if (!clusterChanges) {
            switchState = state;
        }
        if (clusterChanges) {
            boolean planned = current != null && current.hold() != null && current.hold().target().equals(state.activeCluster());
            recovery.switchStarted(state.epoch(), previous, state.activeCluster(), planned, state.requestedBy(),
                    state.requestedOrSwitchedAt());
            if (state.decision() != null) {
                recovery.decided(state.decision());
            }
            clusters.activate(state.activeCluster());
            producerBindings.switchHappened();
            fence.switched(state.epoch());
            rejoinGathering.switched(planned);
            offsetsGuard.switched(state.activeCluster(), state.exactOffsets());
            holdingEpoch = -1;
            ConnectionRegistry.Told told = connections.clusterSwitched("cluster_switch", "cluster " + state.activeCluster()
                    + " is now active (switch epoch " + state.epoch() + ")");
            closed = told.connections();
            awaitTaken(told, state);
            // Only now does status show the switch: a request a client sends after seeing it goes to the new cluster.
            switchState = state;
            // After the connections were told of the switch: what the hold kept then goes on to the new cluster, on
            // its connection, which waits for the new cluster's broker before it forwards.
            produceHold.release();
            recovery.connectionsClosed(closed);
            recovery.switchCompleted();
            clusters.active().ensureTransactionCoordinator();
            replication.activeChanged(state.activeCluster());
            LOG.info("Switched from cluster {} to {} at epoch={}: {} client connections moved or closed", previous, state.activeCluster(),
                    state.epoch(), closed);
        } else if (state.hold() != null && clock.instant().isBefore(state.hold().until())) {
            produceHold.hold(state.hold().until());
            holdingEpoch = state.epoch();
            LOG.info("Holding produce requests until {} for a planned switch to {} (epoch={})", state.hold().until(),
                    state.hold().target(), state.epoch());
        } else if (holdingEpoch >= 0) {
            produceHold.release();
            holdingEpoch = -1;
            LOG.info("Produce requests released on cluster {} (epoch={})", previous, state.epoch());
        }
        reporter.execute(this::report);
        return closed;
    }

    private void report() {
        try {
            store.publish(SwitchStateStore.INSTANCE_KEY_PREFIX + instanceId, new InstanceReport(instanceId, hostName(),
                    startedAt, clock.instant(), switchState == null ? -1 : switchState.epoch(), clusters.active().name(),
                    produceHold.holding() ? holdingEpoch : -1));
        } catch (RuntimeException e) {
            LOG.debug("Instance report not published: {}", e.toString());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Switches every instance to {@code target}; see {@link ClusterSwitch}. The request and its result go to the
     * audit log whatever happens.
     */
    public ClusterSwitch.Outcome failover(String target, boolean planned, String actor) {
        Verdict verdict = health.verdict();
        Instant detectedAt = verdict.health() == Health.DOWN ? verdict.since() : null;
        return failover(target, planned, actor, new SwitchDecision(actor, clock.instant(), detectedAt, null));
    }

    /** As {@link #failover(String, boolean, String)}, recording how the switch was decided in its recovery report. */
    public ClusterSwitch.Outcome failover(String target, boolean planned, String actor, SwitchDecision decision) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("to", target);
        request.put("planned", planned);
        audit.record(actor, "failover", request, AuditEvent.ACCEPTED, "switch requested");
        try {
            ClusterSwitch.Outcome outcome = clusterSwitch.failover(target, planned, actor, decision);
            boolean switched = outcome.result().equals("switched");
            audit.record(actor, "failover", request, switched ? AuditEvent.SUCCEEDED : AuditEvent.FAILED, outcome.message());
            if (switched) {
                switchListeners.forEach(listener -> tell(listener, outcome));
            }
            return outcome;
        } catch (SwitchRefused e) {
            audit.record(actor, "failover", request, AuditEvent.REJECTED, e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            audit.record(actor, "failover", request, AuditEvent.FAILED, e.toString());
            throw e;
        }
    }

    /**
     * Calls {@code listener} with every switch requested at this instance, once it is applied here and returned
     * {@code switched}; not for switches other instances made. It runs on the caller's thread, before the answer
     * goes out, so it must hand slow work to a thread of its own.
     */
    public void onSwitched(Consumer<ClusterSwitch.Outcome> listener) {
        switchListeners.add(listener);
    }

    private static void tell(Consumer<ClusterSwitch.Outcome> listener, ClusterSwitch.Outcome outcome) {
        try {
            listener.accept(outcome);
        } catch (RuntimeException e) {
            // The switch happened whatever a listener does; its caller must still hear so.
            LOG.warn("A switch listener failed after the switch to {} (epoch={}): {}", outcome.to(), outcome.epoch(), e.toString());
        }
    }

    /**
     * Vetoes the armed automatic failover, on every instance; see {@link AutoFailover#veto}. Audited whatever happens.
     */
    public AutoFailover.VetoOutcome vetoFailover(String actor) {
        Map<String, Object> request = Map.of();
        try {
            AutoFailover.VetoOutcome outcome = autoFailover.veto(actor);
            audit.record(actor, "failover-veto", request, AuditEvent.SUCCEEDED, outcome.message());
            return outcome;
        } catch (SwitchRefused e) {
            audit.record(actor, "failover-veto", request, AuditEvent.REJECTED, e.getMessage());
            throw e;
        }
    }

    /** The active cluster's health verdict as of the last check. */
    public Verdict health() {
        return health.verdict();
    }

    /** Where the automatic failover stands. */
    public GatewayStatus.AutoFailoverStatus autoFailover() {
        AutoFailoverConfig auto = autoFailover.config();
        AutoFailoverState state = autoFailover.state();
        return new GatewayStatus.AutoFailoverStatus(auto.enabled(), auto.to(), auto.downFor(), auto.vetoWindow(), state.name(), state);
    }

    public SwitchPhase switchPhase() {
        return clusterSwitch.phase();
    }

    /** The last switch's recovery, merged across every instance that reported on it. */
    public Optional<RecoveryReport> lastRecovery() {
        return recovery.lastSwitch();
    }

    /** The instances that reported through the switch-state topic, this one included. */
    public Map<String, InstanceReport> instances() {
        return Map.copyOf(instances);
    }

    public String instanceId() {
        return instanceId;
    }

    public GatewayConfig config() {
        return config;
    }

    /** The chaos rules in force, shared by every instance. */
    public ChaosRules chaos() {
        return chaos;
    }

    /** The admin API's tokens, shared by every instance. */
    public AdminTokens adminTokens() {
        return adminTokens;
    }

    /** The users clients authenticate as, shared by every instance. */
    public UserDirectory users() {
        return users;
    }

    /** Where admin actions are recorded. */
    public AuditLog audit() {
        return audit;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public UpstreamClusters clusters() {
        return clusters;
    }

    /** Ready while the active cluster answered its last discovery and is not judged down. */
    public boolean ready() {
        return clusters.active().view().reachable() && health.verdict().health() != Health.DOWN;
    }

    public GatewayStatus status() {
        SwitchState announced = switchState;
        // The switch state, not the clusters' own view: during a switch that one moves first, before the connections do.
        String active = announced == null ? clusters.active().name() : announced.activeCluster();
        List<GatewayStatus.Cluster> clusterStatus = clusters.all().stream().map(c -> {
            ClusterView view = c.view();
            Map<Integer, String> nodes = new TreeMap<>();
            view.nodes().forEach((id, address) -> nodes.put(id, address.toString()));
            return new GatewayStatus.Cluster(c.name(), c.config().bootstrapServers(), c.name().equals(active), view.reachable(),
                    view.clusterId(), nodes, view.lastError(), view.checkedAt());
        }).toList();
        ListenerConfig listener = config.listener();
        GatewayStatus.Listeners listeners = new GatewayStatus.Listeners(listener.bindHost(), listener.advertisedHost(),
                listener.bootstrapPort(), listener.nodePorts().toString(), nodePorts.snapshot());
        List<ConnectionInfo> open = connections.snapshot();
        List<GatewayStatus.ClientGroup> clients = open.stream()
                .collect(Collectors.groupingBy(ConnectionInfo::clientId, TreeMap::new, Collectors.toList()))
                .entrySet().stream()
                .map(e -> new GatewayStatus.ClientGroup(e.getKey(), e.getValue().size(),
                        e.getValue().stream().sorted(Comparator.comparing(ConnectionInfo::openedAt)).toList()))
                .toList();
        return new GatewayStatus(active, announced == null ? null : announced.epoch(), clusterStatus, listeners,
                open.size(), clients, chaos.activeNames(), health.verdict(), autoFailover(),
                stormGuard == null ? List.of() : stormGuard.overLimits());
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        health.close();
        autoFailover.close();
        alerts.close();
        server.close();
        replication.close();
        store.close();
        chaos.close();
        producerIdSource.close();
        clusters.close();
        LOG.info("Gateway stopped");
    }
}
