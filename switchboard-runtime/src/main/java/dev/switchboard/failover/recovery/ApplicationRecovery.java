package dev.switchboard.failover.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One application's way back after a switch, as one gateway instance (or, merged, all of them) saw it.
 *
 * @param clientId             the application's client id
 * @param principal            its principal; null while clients do not authenticate
 * @param wave1                whether a Wave 1 pattern matches it
 * @param atSwitch             whether it was running when the switch was requested, and so must come back
 * @param roles                what it did before the switch and so must do again, each with its first success and
 *                             its failures since the new cluster became active (for a new application: what it has
 *                             done so far); in {@link Role} order
 * @param reconnectedAt        its first answered request on a new connection after the gateway closed connections
 * @param back                 it was known at the switch and has done again each of its roles (without roles: it has
 *                             reconnected); never for a new application, which had nothing to come back to
 * @param recoveredAfterMillis from the switch request until it was back; null until then
 */
public record ApplicationRecovery(String clientId, String principal, boolean wave1, AtSwitch atSwitch,
                                  List<RoleRecovery> roles, Instant reconnectedAt, boolean back,
                                  Long recoveredAfterMillis) {

    public ApplicationRecovery {
        roles = roles.stream().sorted(Comparator.comparing(RoleRecovery::role)).toList();
    }

    /** Works out {@code back} and {@code recoveredAfterMillis} from what was observed. */
    public static ApplicationRecovery of(ApplicationKey key, boolean wave1, AtSwitch atSwitch, List<RoleRecovery> roles,
                                         Instant reconnectedAt, Instant switchRequestedAt) {
        Instant backAt = atSwitch == AtSwitch.NEW ? null : backAt(roles, reconnectedAt);
        Long recoveredAfter = backAt == null ? null
                : Math.max(0, Duration.between(switchRequestedAt, backAt).toMillis());
        return new ApplicationRecovery(key.clientId(), key.principal(), wave1, atSwitch, roles, reconnectedAt,
                backAt != null, recoveredAfter);
    }

    public ApplicationKey key() {
        return new ApplicationKey(clientId, principal);
    }

    /** The roles it must do again. */
    public Set<Role> roleSet() {
        return roles.stream().map(RoleRecovery::role).collect(Collectors.toSet());
    }

    /** This role's recovery, if it is one of this application's roles. */
    public RoleRecovery role(Role role) {
        return roles.stream().filter(r -> r.role() == role).findFirst().orElse(null);
    }

    /** When the last signal this application needed arrived; null while one is missing. */
    static Instant backAt(List<RoleRecovery> roles, Instant reconnectedAt) {
        if (roles.isEmpty()) {
            // Nothing to do again (an admin client, say): a new connection is all there is to see.
            return reconnectedAt;
        }
        Instant latest = Instant.MIN;
        for (RoleRecovery role : roles) {
            if (role.backAt() == null) {
                return null;
            }
            latest = role.backAt().isAfter(latest) ? role.backAt() : latest;
        }
        return latest;
    }
}
