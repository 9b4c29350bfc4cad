package dev.switchboard.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who clients are at the gateway.
 *
 * @param sasl  SASL the listener terminates; absent, clients do not authenticate to the gateway
 * @param users users to create at start when the shared state does not hold them yet. Their passwords are salted
 *              as they are read and never kept; users are better managed with {@code switchboard users}, which keeps
 *              passwords out of files
 * @param acls  gateway ACLs; absent, an authenticated client may do whatever the gateway's own identity may
 * @param tls   TLS on the client listener; absent, clients speak plaintext to it
 * @param connectionLimits the connection-storm guard; absent, no limits
 */
public record SecurityConfig(ClientSaslConfig sasl, List<UserConfig> users, AclConfig acls, ListenerTlsConfig tls,
                             ConnectionLimitsConfig connectionLimits) {

    public static final SecurityConfig NONE = new SecurityConfig(null, null, null, null, null);

    public SecurityConfig(ClientSaslConfig sasl, List<UserConfig> users) {
        this(sasl, users, null, null, null);
    }

    public SecurityConfig(ClientSaslConfig sasl, List<UserConfig> users, AclConfig acls) {
        this(sasl, users, acls, null, null);
    }

    public SecurityConfig(ClientSaslConfig sasl, List<UserConfig> users, AclConfig acls, ListenerTlsConfig tls) {
        this(sasl, users, acls, tls, null);
    }

    public SecurityConfig {
        users = users == null ? List.of() : List.copyOf(users);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < users.size(); i++) {
            ConfigException.require(users.get(i) != null, "users[" + i + "]", "is empty");
            ConfigException.require(names.add(users.get(i).name()), "users[" + i + "].name",
                    "'" + users.get(i).name() + "' is listed twice");
        }
        ConfigException.require(users.isEmpty() || sasl != null, "users",
                "need sasl: {mechanisms: [...]} beside them, or no client could authenticate as them");
    }
}
