package dev.switchboard.datapath;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The client connections open now, for status and for whoever has to act on all of them (failover). */
public final class ConnectionRegistry {

    private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();

    void add(ClientConnection connection) {
        open.add(connection);
    }

    void remove(ClientConnection connection) {
        open.remove(connection);
    }

    public List<ConnectionInfo> snapshot() {
        return open.stream().map(ClientConnection::info).toList();
    }
}
