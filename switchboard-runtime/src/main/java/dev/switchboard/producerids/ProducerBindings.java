package dev.switchboard.producerids;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real identities of virtual producers on clusters other than the one that issued their ids, shared by every
 * connection of this instance. A producer on its issuing cluster needs none, so before a switch this is empty.
 *
 * <p>Bounded: a binding unused for {@link Limits#ageOut()} is dropped, and beyond {@link Limits#cap()} bindings the
 * least recently used go; both are counted in {@code switchboard_virtual_producers_dropped_total{reason}}. A producer
 * whose binding was dropped and that produces again is bound afresh, its next sequence the new base, so it carries on;
 * only a retry of a batch written under the dropped binding could then be written twice.
 */
public final class ProducerBindings {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerBindings.class);

    /** How many bindings are kept at most, and after how long unused one is dropped. */
    public record Limits(int cap, Duration ageOut) {
        public static final Limits DEFAULT = new Limits(50_000, Duration.ofHours(1));

        public Limits {
            if (cap < 1) {
                throw new IllegalArgumentException("cap must be at least 1, was " + cap);
            }
            if (ageOut.isNegative() || ageOut.isZero()) {
                throw new IllegalArgumentException("ageOut must be positive, was " + ageOut);
            }
        }
    }

    private record PendingKey(long virtualId, String cluster) {
    }

    private final ProducerIdSource source;
    private final Limits limits;
    private final Clock clock;
    private final Map<Long, ProducerBinding> bindings = new ConcurrentHashMap<>();
    private final Map<PendingKey, CompletableFuture<ProducerBinding>> pending = new ConcurrentHashMap<>();
    private final Counter droppedAtCap;
    private final Counter droppedAgedOut;
    /** Whether any switch was ever recorded: until then every producer is on its issuing cluster. */
    private volatile boolean switched;

    public ProducerBindings(ProducerIdSource source, Limits limits, Clock clock, MeterRegistry registry) {
        this.source = source;
        this.limits = limits;
        this.clock = clock;
        Gauge.builder("switchboard.virtual.producers", bindings, Map::size)
                .description("Virtual producers bound to a real producer id on a cluster other than their id's issuer")
                .register(registry);
        this.droppedAtCap = dropped(registry, "cap");
        this.droppedAgedOut = dropped(registry, "aged_out");
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("switchboard.virtual.producers.dropped")
                .description("Virtual producer bindings dropped, by reason: over the cap, or unused for too long")
                .tag("reason", reason).register(registry);
    }

    /** A switch happened, now or before this instance started: producers may now be off their issuing cluster. */
    public void switchHappened() {
        switched = true;
    }

    boolean switched() {
        return switched;
    }

    /** The binding of a virtual producer on {@code cluster}, if it has one there. */
    Optional<ProducerBinding> on(long virtualId, String cluster) {
        ProducerBinding binding = bindings.get(virtualId);
        return binding != null && binding.cluster().equals(cluster) ? Optional.of(binding) : Optional.empty();
    }

    /** Whether the producer was bound anywhere: then its issuer's real id has sequences the client has left behind. */
    boolean bound(long virtualId) {
        return bindings.containsKey(virtualId);
    }

    /**
     * Binds a virtual producer on {@code cluster} to a fresh real producer, its epoch now {@code virtualEpoch}. Callers
     * asking at once for the same producer and cluster share one request to the cluster.
     */
    CompletableFuture<ProducerBinding> bind(long virtualId, String cluster, short virtualEpoch) {
        PendingKey key = new PendingKey(virtualId, cluster);
        CompletableFuture<ProducerBinding> binding = pending.computeIfAbsent(key, k -> source.obtain(cluster).thenApply(real -> {
            ProducerBinding made = new ProducerBinding(virtualId, cluster, real.producerId(), real.producerEpoch(),
                    virtualEpoch, clock.millis());
            bindings.put(virtualId, made);
            LOG.info("Virtual producer {} produces on cluster {} as producer {} epoch {}", virtualId, cluster,
                    real.producerId(), real.producerEpoch());
            enforceCap();
            return made;
        }));
        binding.whenComplete((made, error) -> pending.remove(key, binding));
        return binding;
    }

    /** The client starts afresh (InitProducerId with its id): its binding no longer stands for it. */
    void forget(long virtualId) {
        bindings.remove(virtualId);
    }

    /** Drops the bindings unused for longer than the age-out; called now and then. */
    public void expireIdle() {
        long before = clock.millis() - limits.ageOut().toMillis();
        bindings.values().removeIf(binding -> {
            boolean idle = binding.lastUsedMillis() < before;
            if (idle) {
                droppedAgedOut.increment();
            }
            return idle;
        });
    }

    private void enforceCap() {
        int over = bindings.size() - limits.cap();
        if (over <= 0) {
            return;
        }
        expireIdle();
        over = bindings.size() - limits.cap();
        if (over <= 0) {
            return;
        }
        // A tenth more than needed, so a gateway at its cap does not sort on every new binding.
        int drop = over + limits.cap() / 10;
        List<ProducerBinding> oldest = bindings.values().stream()
                .sorted(Comparator.comparingLong(ProducerBinding::lastUsedMillis)).limit(drop).toList();
        for (ProducerBinding binding : oldest) {
            if (bindings.remove(binding.virtualId(), binding)) {
                droppedAtCap.increment();
            }
        }
        LOG.warn("{} virtual producer bindings dropped: more than {} kept", oldest.size(), limits.cap());
    }

    int size() {
        return bindings.size();
    }
}
