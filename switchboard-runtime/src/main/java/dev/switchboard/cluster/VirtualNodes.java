package dev.switchboard.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node ids clients see, the same whichever cluster serves them.
 *
 * <p>Clients cache node ids and the address of each. If a switch changed them, cached ids would point at
 * nothing or at the wrong broker, so every cluster's brokers are mapped onto one set of virtual ids:
 * <ul>
 *   <li>The first cluster mapped (the configured order decides) keeps its own ids, so a gateway in front of one
 *       cluster changes no id at all.</li>
 *   <li>Another cluster's brokers, in id order, take the virtual ids already in use that it has no broker for
 *       yet, in order: primary 1, 5, 9 and secondary 1, 2, 3 map 1→1, 2→5, 3→9.</li>
 *   <li>A broker beyond those keeps its own id if no cluster uses it, else takes the next id above all.</li>
 * </ul>
 * The rule depends only on what was mapped before and the brokers seen together, so instances that see the same
 * clusters agree. The mapping is also kept in the switch-state topic, so an instance started while one cluster
 * is down maps the other the same way; once given, a virtual id never changes while the gateway runs.
 */
public final class VirtualNodes {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualNodes.class);

    /**
     * One cluster's mapping, replaced whole on change so readers need no lock. {@code identity} is worked out
     * once here because the data path asks for it on every Fetch response.
     */
    private record Mapping(Map<Integer, Integer> virtualByReal, Map<Integer, Integer> realByVirtual, boolean identity) {
        static final Mapping EMPTY = new Mapping(Map.of(), Map.of(), true);

        Mapping with(int realId, int virtualId) {
            Map<Integer, Integer> virtual = new HashMap<>(virtualByReal);
            Map<Integer, Integer> real = new HashMap<>(realByVirtual);
            virtual.put(realId, virtualId);
            real.put(virtualId, realId);
            return new Mapping(Map.copyOf(virtual), Map.copyOf(real), identity && realId == virtualId);
        }
    }

    private final Map<String, Mapping> mappings = new ConcurrentHashMap<>();
    private final List<Consumer<Map<String, Map<Integer, Integer>>>> changeListeners = new CopyOnWriteArrayList<>();

    /** The virtual id of a broker, mapping it now if it is new. */
    public int virtualId(String cluster, int realId) {
        if (realId < 0) {
            return realId; // "no node" stays "no node"
        }
        Integer known = mappings.getOrDefault(cluster, Mapping.EMPTY).virtualByReal().get(realId);
        return known != null ? known : map(cluster, List.of(realId)).get(realId);
    }

    /** The broker of {@code cluster} that stands for a virtual id, if it has one. */
    public OptionalInt realId(String cluster, int virtualId) {
        Integer real = mappings.getOrDefault(cluster, Mapping.EMPTY).realByVirtual().get(virtualId);
        return real == null ? OptionalInt.empty() : OptionalInt.of(real);
    }

    /** Whether the cluster's brokers keep their own ids, so its responses need no id translated. */
    public boolean isIdentity(String cluster) {
        return mappings.getOrDefault(cluster, Mapping.EMPTY).identity();
    }

    /** Maps the brokers of a cluster that are not mapped yet; returns the virtual id of each of them. */
    public synchronized Map<Integer, Integer> map(String cluster, Collection<Integer> realIds) {
        Mapping mapping = mappings.getOrDefault(cluster, Mapping.EMPTY);
        Map<Integer, Integer> result = new HashMap<>();
        TreeSet<Integer> unmapped = new TreeSet<>();
        for (int realId : realIds) {
            Integer known = mapping.virtualByReal().get(realId);
            if (known != null) {
                result.put(realId, known);
            } else {
                unmapped.add(realId);
            }
        }
        if (unmapped.isEmpty()) {
            return result;
        }
        TreeSet<Integer> usedElsewhere = new TreeSet<>();
        mappings.forEach((name, other) -> usedElsewhere.addAll(other.realByVirtual().keySet()));
        usedElsewhere.removeAll(mapping.realByVirtual().keySet());
        for (int realId : unmapped) {
            Integer virtualId = usedElsewhere.pollFirst();
            if (virtualId == null) {
                virtualId = inUse(realId) ? highestInUse() + 1 : realId;
            }
            mapping = mapping.with(realId, virtualId);
            mappings.put(cluster, mapping);
            result.put(realId, virtualId);
            LOG.info("Cluster {} node {} is virtual node {}", cluster, realId, virtualId);
        }
        Map<String, Map<Integer, Integer>> snapshot = snapshot();
        changeListeners.forEach(l -> l.accept(snapshot));
        return result;
    }

    /**
     * Takes a mapping another instance recorded. Entries this instance has not made are adopted; where the two
     * differ this instance keeps its own, because its clients already hold those ids, and says so.
     */
    public synchronized void adopt(Map<String, Map<Integer, Integer>> recorded) {
        for (Map.Entry<String, Map<Integer, Integer>> cluster : recorded.entrySet()) {
            Mapping mapping = mappings.getOrDefault(cluster.getKey(), Mapping.EMPTY);
            for (Map.Entry<Integer, Integer> node : new TreeMap<>(cluster.getValue()).entrySet()) {
                Integer mine = mapping.virtualByReal().get(node.getKey());
                if (mine == null && !mapping.realByVirtual().containsKey(node.getValue())) {
                    mapping = mapping.with(node.getKey(), node.getValue());
                } else if (mine == null || !mine.equals(node.getValue())) {
                    LOG.warn("Cluster {} node {}: another instance recorded virtual node {}, this one uses {}; keeping {}",
                            cluster.getKey(), node.getKey(), node.getValue(), mine, mine);
                }
            }
            mappings.put(cluster.getKey(), mapping);
        }
    }

    /** Every cluster's mapping, real id to virtual id. */
    public Map<String, Map<Integer, Integer>> snapshot() {
        Map<String, Map<Integer, Integer>> snapshot = new TreeMap<>();
        mappings.forEach((cluster, mapping) -> snapshot.put(cluster, new TreeMap<>(mapping.virtualByReal())));
        return snapshot;
    }

    /** Told of the whole mapping whenever a broker is mapped, so it can be recorded. */
    public void onChange(Consumer<Map<String, Map<Integer, Integer>>> listener) {
        changeListeners.add(listener);
    }

    private boolean inUse(int virtualId) {
        return mappings.values().stream().anyMatch(m -> m.realByVirtual().containsKey(virtualId));
    }

    private int highestInUse() {
        return mappings.values().stream().flatMap(m -> m.realByVirtual().keySet().stream()).max(Integer::compare).orElse(-1);
    }
}
