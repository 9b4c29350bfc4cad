package dev.switchboard.security;

import java.util.Arrays;
import java.util.Locale;

/** What an admin API token may do; each role may do what the ones before it may. */
public enum AdminRole {
    /** Status, metrics, reports. */
    VIEWER,
    /** And failover, chaos rules, drills. */
    OPERATOR,
    /** And users, ACLs, tokens. */
    ADMIN;

    public boolean allows(AdminRole needed) {
        return compareTo(needed) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code label}; throws {@link IllegalArgumentException} naming the roles there are. */
    public static AdminRole of(String label) {
        for (AdminRole role : values()) {
            if (role.label().equals(label)) {
                return role;
            }
        }
        throw new IllegalArgumentException("no role '" + label + "'; roles are "
                + Arrays.stream(values()).map(AdminRole::label).toList());
    }
}
