package dev.switchboard.chaos;

import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** What a {@link Fault} knows of the rule and the connection it acts for. Used on the connection's event loop. */
public interface FaultContext {

    ConnectionContext connection();

    /** Whether the rule's topic pattern matches {@code topic}; true for every topic when the rule names none. */
    boolean topicInScope(String topic);

    /** A topic as a request or response names it (by name, or by id from v13 of Produce and Fetch). */
    default boolean topicInScope(String name, Uuid topicId) {
        Optional<String> topic = connection().topicName(name, topicId);
        // A topic whose name no relayed metadata gave yet is in scope only of a rule that names no topic.
        return topic.map(this::topicInScope).orElseGet(() -> topicInScope(null));
    }

    /**
     * Whether the rule's group pattern matches {@code group}; true for every group when the rule names none. A
     * request without a group (a fetch) is in scope when its client was seen in a matching group; pass null.
     */
    boolean groupInScope(String group);

    /** Whether the rule chooses groups ({@code scope.group}), rather than taking in every group. */
    boolean namesGroups();

    /** Whether a request is in the rule's group scope: by the group it names, or else by its client's group. */
    default boolean groupInScope(InterceptedRequest request) {
        return groupInScope(RequestGroups.of(request).orElse(null));
    }

    /**
     * One request or response in the rule's scope: counts it as matched and decides, by the rule's rate and its
     * maximum number of hits, whether the fault acts on it, which is then counted as affected.
     */
    boolean hit();

    /** The rule's random source: seeded by the rule's seed, so a drill can be replayed. */
    Random random();

    /** This rule's state for this connection, made by {@code initial} on first use. */
    <T> T connectionState(Supplier<T> initial);

    /**
     * Changes the response to the request with {@code correlationId} once it arrives, even if the rule is gone by
     * then: the other half of a request the fault changed, such as partitions it answered itself. Several changes
     * owed to one response are all made, in the order they were asked for.
     */
    void changeResponse(int correlationId, ApiKeys api, Consumer<ApiMessage> change);

    /**
     * Shows {@code follow} this connection's next requests of the APIs {@code requests} names, before any rule sees them
     * and even if the rule is gone by then, until it returns true: the client's half of an exchange the fault began,
     * such as the offset reset a consumer makes after an error the fault gave it. {@code follow} must not change the
     * request; it may ask for a change to its response with {@link #changeResponse}.
     */
    void followRequests(Interest requests, Predicate<InterceptedRequest> follow);

    /** The gateway's meters, for what a fault counts beyond matched and affected, such as state it forgot to stay bounded. */
    MeterRegistry registry();
}
