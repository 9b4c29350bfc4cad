package dev.switchboard.chaos;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.audit.AuditEvent;
import dev.switchboard.audit.AuditLog;
import dev.switchboard.intercept.ConnectionContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos rules in force, the same at every instance: a rule added, changed or removed here is shared with the
 * others ({@link Sharing}), and theirs arrive through {@link #shared}. Each change carries its time, and the newest
 * change of a name wins, so the order in which instances and clusters deliver them does not matter.
 *
 * <p>A rule stops by itself when its duration is over (at every instance, by the same clock), or once it has affected
 * its {@code maxHits} requests, counted at the instance that saw them, which then removes it everywhere.
 */
public final class ChaosRules implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRules.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** A bound on rules, so a script in a loop cannot fill the gateway's memory. */
    public static final int MAX_RULES = 200;
    /** How many names' last change times are kept to order shared changes; the oldest are dropped past this. */
    static final int MAX_REMEMBERED_NAMES = 10_000;
    private static final long SWEEP_MILLIS = 200;

    /** Where this instance's changes go so the others see them: the switch-state topic on every cluster. */
    public interface Sharing {
        void publish(String name, JsonNode change);
    }

    /** What the interceptor reads on every frame: the rules now, replaced whole on every change. */
    record Snapshot(List<LiveRule> rules, boolean scopesGroups) {
        static final Snapshot EMPTY = new Snapshot(List.of(), false);
    }

    private final RuleParser parser;
    private final AuditLog audit;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ClientGroups clientGroups;
    private final Map<String, LiveRule> rules = new LinkedHashMap<>();
    /** Rules installed before their start, until the sweep that sees them live. */
    private final Set<LiveRule> scheduled = new HashSet<>();
    private final Map<String, Instant> lastChange = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            if (size() > MAX_REMEMBERED_NAMES) {
                forgottenNames.increment();
                return true;
            }
            return false;
        }
    };
    private final Counter forgottenNames;
    private final AtomicInteger active = new AtomicInteger();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "switchboard-chaos-expiry");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile Sharing sharing = (name, change) -> {
    };
    private volatile OpenConnections openConnections = OpenConnections.NONE;

    public ChaosRules(RuleParser parser, AuditLog audit, MeterRegistry registry, Clock clock) {
        this.parser = parser;
        this.audit = audit;
        this.registry = registry;
        this.clock = clock;
        this.clientGroups = new ClientGroups(registry);
        this.forgottenNames = Counter.builder("switchboard.chaos.names.forgotten")
                .description("Rule names whose last change time was dropped to keep the record bounded").register(registry);
        Gauge.builder("switchboard.chaos.rules.active", active, AtomicInteger::get)
                .description("Chaos rules in force at this instance, scheduled ones included").register(registry);
        sweeper.scheduleWithFixedDelay(this::expire, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    public void share(Sharing sharing) {
        this.sharing = sharing;
    }

    /** Where rules that take connections away close the ones already open; see {@link Fault#closesOpenConnections()}. */
    public void reachConnections(OpenConnections openConnections) {
        this.openConnections = openConnections;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    ClientGroups clientGroups() {
        return clientGroups;
    }

    Clock clock() {
        return clock;
    }

    MeterRegistry registry() {
        return registry;
    }

    /**
     * Whether {@code scope} takes in {@code group}; for a request that names no group (null), whether it takes in the
     * group the connection's client was last seen in.
     */
    boolean groupInScope(RuleScope scope, String group, ConnectionContext connection) {
        if (scope.group() == null) {
            return true;
        }
        String named = group != null ? group : connection.clientId() == null ? null
                : clientGroups.groupOf(connection.clientId()).orElse(null);
        return scope.groupMatches(named);
    }

    /** Adds a rule; refuses a name in use. */
    public RuleStatus add(JsonNode definition, String actor) {
        return change(definition, actor, false);
    }

    /** Replaces the rule of that name, or adds it. Its counts start again. */
    public RuleStatus replace(String name, JsonNode definition, String actor) {
        if (definition != null && definition.isObject() && !definition.has("name")) {
            ((ObjectNode) definition).put("name", name);
        }
        if (definition != null && definition.isObject() && !name.equals(definition.path("name").asText())) {
            throw new InvalidRule("name", "'" + definition.path("name").asText() + "' differs from the rule's path '" + name + "'");
        }
        return change(definition, actor, true);
    }

    private RuleStatus change(JsonNode definition, String actor, boolean replacing) {
        String action = replacing ? "chaos-rule-change" : "chaos-rule-add";
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("rule", definition == null ? null : definition.toString());
        FaultRule rule;
        RuleStatus added;
        try {
            if (definition != null && definition.isObject()) {
                ((ObjectNode) definition).remove(List.of("addedAt", "addedBy"));
            }
            rule = parser.parse(definition, clock.instant(), actor);
            synchronized (this) {
                if (!replacing && rules.containsKey(rule.name())) {
                    throw new InvalidRule("name", "a rule named '" + rule.name() + "' exists; remove it first or replace it with PUT");
                }
                if (!rules.containsKey(rule.name()) && rules.size() >= MAX_RULES) {
                    throw new InvalidRule("name", "this gateway already has " + MAX_RULES + " rules, the most it keeps");
                }
                install(rule);
                added = status(rules.get(rule.name()));
            }
        } catch (InvalidRule e) {
            audit.record(actor, action, request, AuditEvent.REJECTED, e.getMessage());
            throw e;
        }
        sharing.publish(rule.name(), rule.definition());
        audit.record(actor, action, request, AuditEvent.SUCCEEDED, rule.name() + " (" + rule.type().name() + ") until "
                + expiry(rule));
        return added;
    }

    /** Removes a rule; false when there was none of that name. */
    public boolean remove(String name, String actor) {
        boolean removed;
        synchronized (this) {
            removed = uninstall(name, clock.instant());
        }
        if (removed) {
            sharing.publish(name, removal(name, actor));
        }
        audit.record(actor, "chaos-rule-remove", Map.of("name", name), removed ? AuditEvent.SUCCEEDED : AuditEvent.REJECTED,
                removed ? "removed" : "no rule named '" + name + "'");
        return removed;
    }

    /** Removes every rule; returns how many there were. */
    public int reset(String actor) {
        List<String> names;
        synchronized (this) {
            names = new ArrayList<>(rules.keySet());
            Instant now = clock.instant();
            names.forEach(name -> uninstall(name, now));
        }
        names.forEach(name -> sharing.publish(name, removal(name, actor)));
        audit.record(actor, "chaos-reset", Map.of(), AuditEvent.SUCCEEDED, "removed " + names.size() + " rules " + names);
        return names.size();
    }

    /**
     * Rules from the config, by where they came from ({@code config} or a file's path), added at start unless their
     * name already has a history in the shared state (a rule that survived a restart keeps its counts and its expiry;
     * one that expired or was removed stays so). Every rule is checked before any is added: a gateway refused for one
     * bad rule has shared none of the others with the instances running.
     */
    public void populate(Map<String, List<JsonNode>> sources) {
        Instant now = clock.instant();
        sources.forEach((source, definitions) -> {
            for (int i = 0; i < definitions.size(); i++) {
                try {
                    parser.parse(definitions.get(i), now, source);
                } catch (InvalidRule e) {
                    throw e.under(where(source, i));
                }
            }
        });
        sources.forEach((source, definitions) -> populate(definitions, source));
    }

    private void populate(List<JsonNode> definitions, String source) {
        for (int i = 0; i < definitions.size(); i++) {
            JsonNode definition = definitions.get(i);
            String name = definition.path("name").asText();
            synchronized (this) {
                if (lastChange.containsKey(name)) {
                    LOG.info("Chaos rule {} from {} is already known from the shared state; not added again", name, source);
                    continue;
                }
            }
            try {
                add(definition, source);
            } catch (InvalidRule e) {
                throw e.under(where(source, i));
            }
        }
    }

    private static String where(String source, int index) {
        return ("config".equals(source) ? "chaos.rules" : source + ": rules") + "[" + index + "]";
    }

    /** A change shared by any instance: a rule's definition, or its removal. Older than what is known, it is ignored. */
    public void shared(String name, JsonNode change) {
        Instant now = clock.instant();
        boolean removal = change.has("removedAt");
        Instant at;
        try {
            at = Instant.parse(change.path(removal ? "removedAt" : "addedAt").asText());
        } catch (RuntimeException e) {
            LOG.warn("Unreadable shared chaos change for rule {}: {}", name, change);
            return;
        }
        synchronized (this) {
            Instant known = lastChange.get(name);
            if (known != null && !at.isAfter(known)) {
                return;
            }
            if (removal) {
                uninstall(name, at);
                return;
            }
            FaultRule rule;
            try {
                rule = parser.parse(change, at, change.path("addedBy").asText("shared"));
            } catch (InvalidRule e) {
                LOG.warn("Shared chaos rule {} cannot be applied here: {}", name, e.getMessage());
                return;
            }
            if (rule.lifetime().expired(now)) {
                lastChange.put(name, at);
                uninstall(name, at);
                return;
            }
            install(rule);
        }
    }

    public synchronized List<RuleStatus> list() {
        return rules.values().stream().map(this::status).toList();
    }

    public synchronized Optional<RuleStatus> get(String name) {
        return Optional.ofNullable(rules.get(name)).map(this::status);
    }

    /** Names of the rules acting now. */
    public synchronized List<String> activeNames() {
        Instant now = clock.instant();
        return rules.values().stream().filter(rule -> rule.live(now)).map(rule -> rule.rule().name()).toList();
    }

    /**
     * The live rules that make {@code cluster} look down as a whole and say it should count as down
     * ({@link Fault#simulatesClusterDown}): scoped to that cluster or to none, and to no topic, group, client or address.
     */
    public synchronized List<String> simulatedOutages(String cluster) {
        Instant now = clock.instant();
        return rules.values().stream().filter(rule -> rule.live(now)).map(LiveRule::rule)
                .filter(rule -> rule.fault().simulatesClusterDown() && rule.scope().coversWholeCluster(cluster))
                .map(FaultRule::name).toList();
    }

    private void install(FaultRule rule) {
        LiveRule previous = rules.remove(rule.name());
        if (previous != null) {
            previous.unregister(registry);
        }
        LiveRule live = new LiveRule(rule, registry, () -> sweeper.execute(() -> exhausted(rule)));
        rules.put(rule.name(), live);
        lastChange.put(rule.name(), rule.addedAt());
        publishSnapshot();
        if (rule.lifetime().started(clock.instant())) {
            wentLive(live);
        } else {
            scheduled.add(live);
        }
        LOG.info("Chaos rule {} in force: type={} rate={} scope={} until {}", rule.name(), rule.type().name(), rule.rate(),
                rule.scope().asMap(), expiry(rule));
    }

    private boolean uninstall(String name, Instant at) {
        lastChange.put(name, at);
        LiveRule removed = rules.remove(name);
        if (removed == null) {
            return false;
        }
        removed.unregister(registry);
        scheduled.remove(removed);
        publishSnapshot();
        LOG.info("Chaos rule {} removed after matching {} and affecting {}", name, removed.matched(), removed.affected());
        return true;
    }

    /**
     * A rule's start came: a fault that takes connections away closes those open in its scope now. A rule for some
     * topics only takes a connection away at its first request about one of them, as only requests name topics.
     */
    private void wentLive(LiveRule live) {
        FaultRule rule = live.rule();
        Optional<String> cause = rule.fault().closesOpenConnections();
        if (cause.isEmpty() || rule.scope().topic() != null) {
            return;
        }
        openConnections.closeWhere(connection -> snapshot.rules().contains(live) && live.live(clock.instant())
                        && rule.scope().admits(connection) && groupInScope(rule.scope(), null, connection) && live.hit(),
                cause.get(), "chaos rule " + rule.name() + " (" + rule.type().name() + ") is live");
    }

    private void publishSnapshot() {
        List<LiveRule> now = List.copyOf(rules.values());
        snapshot = new Snapshot(now, now.stream().anyMatch(rule -> rule.rule().scope().group() != null));
        active.set(now.size());
    }

    private void exhausted(FaultRule rule) {
        boolean removed;
        synchronized (this) {
            LiveRule live = rules.get(rule.name());
            removed = live != null && live.rule() == rule && uninstall(rule.name(), clock.instant());
        }
        if (removed) {
            sharing.publish(rule.name(), removal(rule.name(), "switchboard"));
            audit.record("switchboard", "chaos-rule-expired", Map.of("name", rule.name()), AuditEvent.SUCCEEDED,
                    "affected its maxHits of " + rule.lifetime().maxHits() + " requests");
        }
    }

    private void expire() {
        try {
            Instant now = clock.instant();
            List<FaultRule> expired = new ArrayList<>();
            synchronized (this) {
                for (LiveRule rule : List.copyOf(rules.values())) {
                    if (rule.rule().lifetime().expired(now)) {
                        expired.add(rule.rule());
                        uninstall(rule.rule().name(), now);
                    }
                }
                for (Iterator<LiveRule> waiting = scheduled.iterator(); waiting.hasNext(); ) {
                    LiveRule rule = waiting.next();
                    if (rule.rule().lifetime().started(now)) {
                        waiting.remove();
                        wentLive(rule);
                    }
                }
            }
            for (FaultRule rule : expired) {
                audit.record("switchboard", "chaos-rule-expired", Map.of("name", rule.name()), AuditEvent.SUCCEEDED,
                        "its duration of " + rule.lifetime().duration() + " is over");
            }
        } catch (RuntimeException e) {
            LOG.warn("Chaos rule expiry failed: {}", e.toString());
        }
    }

    private ObjectNode removal(String name, String actor) {
        return JSON.createObjectNode().put("name", name).put("removedAt", clock.instant().toString()).put("removedBy", actor);
    }

    private static String expiry(FaultRule rule) {
        return rule.lifetime().expiresAt().equals(Instant.MAX) ? Lifetime.UNLIMITED : rule.lifetime().expiresAt().toString();
    }

    private RuleStatus status(LiveRule live) {
        FaultRule rule = live.rule();
        Instant now = clock.instant();
        return new RuleStatus(rule.name(), rule.type().name(), rule.lifetime().started(now) ? "active" : "scheduled", rule.rate(),
                rule.scope().asMap(), rule.params(), rule.lifetime().startsAt().toString(), rule.lifetime().duration(),
                expiry(rule), rule.lifetime().limitsHits() ? rule.lifetime().maxHits() : null, rule.seed(), live.matched(),
                live.affected(), rule.addedAt().toString(), rule.addedBy());
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
