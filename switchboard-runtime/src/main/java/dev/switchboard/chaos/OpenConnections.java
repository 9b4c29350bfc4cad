package dev.switchboard.chaos;

import java.util.function.Predicate;

import dev.switchboard.intercept.ConnectionContext;

/**
 * The client connections open at this instance, as chaos reaches them: only to close the ones a rule that takes
 * connections away has in scope, the moment it is live, rather than at their next request, which from an idle
 * client may come minutes later. The gateway gives its connection registry; chaos never sees the data path itself.
 */
@FunctionalInterface
public interface OpenConnections {

    /** Reaches no connection: until the gateway gives its own, connections close at their next request only. */
    OpenConnections NONE = (which, cause, reason) -> {
    };

    /**
     * Closes the open connections {@code which} picks, each on its own event loop, where {@code which} is asked:
     * counted under {@code cause} (a lower-case label), with {@code reason} logged.
     */
    void closeWhere(Predicate<ConnectionContext> which, String cause, String reason);
}
