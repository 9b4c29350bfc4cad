package dev.switchboard.datapath;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
     * {@link ClientConnection#clusterSwitched}). A request read after a connection took the switch goes to the new
     * cluster; one read before went to the old. So whoever reports the switch done waits for {@link Told#all}.
     */
    public Told clusterSwitched(String cause, String reason) {
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (ClientConnection connection : open) {
            CompletableFuture<Void> taken = new CompletableFuture<>();
            each.add(taken);
            boolean scheduled = connection.onEventLoop(() -> {
                try {
                    connection.clusterSwitched(cause, reason);
                } finally {
                    taken.complete(null);
                }
            });
            if (!scheduled) {
                taken.complete(null);
            }
        }
        return new Told(each.size(), CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)));
    }

    /**
     * The connections told of a switch: how many, and when each has taken it on its event loop. A connection that
     * cannot be told (no channel yet, its event loop gone) counts as having taken it: it forwards nothing more.
     */
    public record Told(int connections, CompletableFuture<Void> all) {
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
