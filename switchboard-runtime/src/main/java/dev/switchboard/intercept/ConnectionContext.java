package dev.switchboard.intercept;

import java.net.InetSocketAddress;
import java.util.Optional;

import org.apache.kafka.common.Uuid;

/** What an interceptor may know about the connection it sees. Read on the connection's event loop. */
public interface ConnectionContext {

    /** The client id of the latest request, or empty before the first one. */
    String clientId();

    /** Where the client connects from; null only on a transport without IP addresses (in-memory tests). */
    InetSocketAddress clientAddress();

    /** The gateway listener the client connected to: {@code bootstrap} or {@code node-<id>}. */
    String listener();

    /**
     * The cluster serving this connection, or empty before the connection has been routed. During a switch it is still
     * the previous cluster, until the connection closes or moves.
     */
    Optional<String> servingCluster();

    /** The authenticated principal, once client authentication exists; empty until then. */
    Optional<String> principal();

    /**
     * The name of a topic by its id, learned from the metadata responses the gateway relayed: its id on the cluster
     * serving this connection, or else on another cluster, since a client goes on using the previous cluster's ids
     * after a switch until its next metadata. Empty when no such response named it yet.
     */
    Optional<String> topicName(Uuid topicId);

    /**
     * The name of a topic as a request or response gives it: by name before v13 of Produce and Fetch, by id after.
     * Empty when it gives only an id that no relayed metadata named yet.
     */
    default Optional<String> topicName(String name, Uuid topicId) {
        if (name != null && !name.isEmpty()) {
            return Optional.of(name);
        }
        return topicId == null ? Optional.empty() : topicName(topicId);
    }
}
