package dev.switchboard.failover.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One application's way back after a switch, as one gateway instance (or, merged, all of them) saw it.
 *
 * @param clientId             the application's client id
 * @param principal            its principal; null while clients do not authenticate
 * @param wave1                whether a Wave 1 pattern matches it
 * @param newSinceSwitch       first seen after the switch started: listed, never needed for the recovery time
 * @param roles                what it did before the switch and so must do again (for a new application:
 *                             what it has done so far)
 * @param reconnectedAt        its first request on a new connection after the gateway closed connections
 * @param firstProduceAt       its first successful produce once the new cluster was active
 * @param firstFetchAt         its first successful fetch once the new cluster was active
 * @param back                 it has done again each of its roles; without roles, it has reconnected
 * @param recoveredAfterMillis from the switch request until it was back; null until then
 */
public record ApplicationRecovery(String clientId, String principal, boolean wave1, boolean newSinceSwitch,
                                  Set<Role> roles, Instant reconnectedAt, Instant firstProduceAt,
                                  Instant firstFetchAt, boolean back, Long recoveredAfterMillis) {

    public ApplicationRecovery {
        roles = roles(roles);
    }

    /** Works out {@code back} and {@code recoveredAfterMillis} from what was observed. */
    public static ApplicationRecovery of(ApplicationKey key, boolean wave1, boolean newSinceSwitch, Set<Role> roles,
                                         Instant reconnectedAt, Instant firstProduceAt, Instant firstFetchAt,
                                         Instant switchRequestedAt) {
        Instant backAt = backAt(roles, reconnectedAt, firstProduceAt, firstFetchAt);
        Long recoveredAfter = backAt == null ? null
                : Math.max(0, Duration.between(switchRequestedAt, backAt).toMillis());
        return new ApplicationRecovery(key.clientId(), key.principal(), wave1, newSinceSwitch, roles, reconnectedAt,
                firstProduceAt, firstFetchAt, backAt != null, recoveredAfter);
    }

    /** An unmodifiable copy in declaration order, so JSON lists roles the same way every time. */
    static Set<Role> roles(Collection<Role> roles) {
        EnumSet<Role> copy = EnumSet.noneOf(Role.class);
        if (roles != null) {
            copy.addAll(roles);
        }
        return Collections.unmodifiableSet(copy);
    }

    public ApplicationKey key() {
        return new ApplicationKey(clientId, principal);
    }

    /** When the last signal this application needed arrived; null while one is missing. */
    static Instant backAt(Set<Role> roles, Instant reconnectedAt, Instant firstProduceAt, Instant firstFetchAt) {
        if (roles.isEmpty()) {
            // Nothing to do again (an admin client, say): a new connection is all there is to see.
            return reconnectedAt;
        }
        Instant produce = roles.contains(Role.PRODUCER) ? firstProduceAt : Instant.MIN;
        Instant fetch = roles.contains(Role.CONSUMER) ? firstFetchAt : Instant.MIN;
        if (produce == null || fetch == null) {
            return null;
        }
        return produce.isAfter(fetch) ? produce : fetch;
    }
}
