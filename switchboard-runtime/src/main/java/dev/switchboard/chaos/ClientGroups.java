package dev.switchboard.chaos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Which consumer group each client id was last seen in, so a rule scoped to a group also reaches the fetches of its
 * members, which name no group. Learned only while a rule scopes a group; at most {@value #MAX_CLIENTS} client ids,
 * the least recently seen dropped first and counted in {@code switchboard_chaos_client_groups_dropped_total}.
 */
final class ClientGroups {

    static final int MAX_CLIENTS = 10_000;

    private final Counter dropped;
    private final Map<String, String> groups = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            if (size() > MAX_CLIENTS) {
                dropped.increment();
                return true;
            }
            return false;
        }
    };

    ClientGroups(MeterRegistry registry) {
        this.dropped = Counter.builder("switchboard.chaos.client.groups.dropped")
                .description("Client ids forgotten by chaos group scoping, to keep it bounded").register(registry);
    }

    synchronized void seen(String clientId, String group) {
        groups.put(clientId, group);
    }

    synchronized Optional<String> groupOf(String clientId) {
        return Optional.ofNullable(groups.get(clientId));
    }
}
