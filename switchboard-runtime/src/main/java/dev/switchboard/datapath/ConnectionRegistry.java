package dev.switchboard.datapath;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.switchboard.intercept.ConnectionContext;

/** The client connections open now, for status and for whoever has to act on all of them (failover). */
public final class ConnectionRegistry {

    private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();

    void add(ClientConnection connection) {
        open.add(connection);
    }

    void remove(ClientConnection connection) {
        open.remove(connection);
    }

    /**
     * Ends every client connection's link to the cluster that was active, on its own event loop: moves it to the
     * active cluster once its requests in flight are answered, or closes it when they are not (see
     * {@link ClientConnection#clusterSwitched}). Returns how many there were.
     */
    public int clusterSwitched(String cause, String reason) {
        int count = 0;
        for (ClientConnection connection : open) {
            connection.onEventLoop(() -> connection.clusterSwitched(cause, reason));
            count++;
        }
        return count;
    }

    /**
     * Closes the connections {@code which} picks, each on its own event loop, where it is asked what the connection
     * knows of itself (a rule's scope, for chaos). {@code cause} is the label counted in
     * {@code switchboard_connections_closed_total}.
     */
    public void closeWhere(Predicate<ConnectionContext> which, String cause, String reason) {
        for (ClientConnection connection : open) {
            connection.onEventLoop(() -> connection.closeIf(which, cause, reason));
        }
    }

    public List<ConnectionInfo> snapshot() {
        return open.stream().map(ClientConnection::info).toList();
    }
}
