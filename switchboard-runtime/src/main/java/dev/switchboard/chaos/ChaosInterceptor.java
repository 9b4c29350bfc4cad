package dev.switchboard.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Puts the chaos rules on the wire: one interceptor per connection, which applies the rules whose scope can include
 * this connection, in the order they were added. With no rule that can, it is interested in nothing, so a gateway
 * with no rules, or none for this client, does no chaos work at all.
 *
 * <p>Rules combine: delays add up, changes to a frame accumulate, and the first rule that answers, drops or closes
 * decides.
 */
public final class ChaosInterceptor implements InterceptorFactory {

    private static final Interest GROUP_REQUESTS = Interest.requests(RequestGroups.APIS);

    /** Requests followed at once on one connection; a fault follows one per partition it is rewinding. */
    static final int MAX_FOLLOWS = 256;

    private final ChaosRules rules;
    private final Counter followsDropped;

    public ChaosInterceptor(ChaosRules rules) {
        this.rules = rules;
        this.followsDropped = Counter.builder("switchboard.chaos.follows.dropped")
                .description("Requests a chaos fault stopped following on a connection, the oldest first, to keep its state bounded")
                .register(rules.registry());
    }

    @Override
    public String name() {
        return "chaos";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Connection(connection);
    }

    /** A change owed to the response of a request a fault changed. */
    private record OwedChange(ApiKeys api, Consumer<ApiMessage> change) {
    }

    /** Requests a fault follows on this connection until it has seen the one it waits for. */
    private record Follow(Interest requests, Predicate<InterceptedRequest> follow) {
    }

    private final class Connection implements Interceptor {

        private final ConnectionContext connection;
        private ChaosRules.Snapshot seen;
        private List<Applied> applied = List.of();
        private Interest interest = Interest.NONE;
        private Interest owedInterest = Interest.NONE;
        private final Map<Integer, OwedChange> owed = new HashMap<>();
        private final List<Follow> follows = new ArrayList<>();
        /** Per rule, its faults' state on this connection; made on first use. */
        private Map<LiveRule, Object> states;

        Connection(ConnectionContext connection) {
            this.connection = connection;
        }

        @Override
        public Interest interest() {
            if (seen != rules.snapshot()) {
                refresh();
            }
            return owed.isEmpty() && follows.isEmpty() ? interest : interest.and(owedInterest);
        }

        @Override
        public void clientIdentified(ConnectionContext context) {
            refresh();
        }

        private void refresh() {
            ChaosRules.Snapshot now = rules.snapshot();
            List<Applied> admitted = new ArrayList<>();
            Interest wanted = Interest.NONE;
            for (LiveRule rule : now.rules()) {
                if (rule.rule().scope().admits(connection)) {
                    admitted.add(new Applied(rule));
                    wanted = wanted.and(rule.rule().fault().interest());
                }
            }
            if (states != null) {
                states.keySet().retainAll(admitted.stream().map(Applied::rule).toList());
            }
            if (now.scopesGroups() && !admitted.isEmpty()) {
                wanted = wanted.and(GROUP_REQUESTS);
            }
            seen = now;
            applied = List.copyOf(admitted);
            interest = wanted;
        }

        @Override
        public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
            if (seen.scopesGroups() && context.clientId() != null && GROUP_REQUESTS.inRequests(request.apiKey())) {
                RequestGroups.of(request).ifPresent(group -> rules.clientGroups().seen(context.clientId(), group));
            }
            if (!follows.isEmpty()) {
                follow(request);
            }
            Instant now = rules.clock().instant();
            Duration delay = Duration.ZERO;
            boolean modified = false;
            for (Applied rule : applied) {
                if (!rule.rule().rule().fault().interest().inRequests(request.apiKey()) || !rule.rule().live(now)) {
                    continue;
                }
                RequestAction action = rule.rule().rule().fault().onRequest(request, rule);
                while (action instanceof RequestAction.Delay wait) {
                    delay = delay.plus(wait.delay());
                    action = wait.then();
                }
                if (action instanceof RequestAction.Forward forward) {
                    modified |= forward.modified();
                    continue;
                }
                return delayed(delay, action);
            }
            return delayed(delay, modified ? RequestAction.forwardModified() : RequestAction.forward());
        }

        @Override
        public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
            boolean modified = false;
            OwedChange change = owed.remove(response.correlationId());
            if (change != null) {
                change.change().accept(response.message());
                modified = true;
                owedInterest = owedInterestNow();
            }
            Instant now = rules.clock().instant();
            Duration delay = Duration.ZERO;
            for (Applied rule : applied) {
                if (!rule.rule().rule().fault().interest().inResponses(response.apiKey(), 0) || !rule.rule().live(now)) {
                    continue;
                }
                ResponseAction action = rule.rule().rule().fault().onResponse(response, rule);
                while (action instanceof ResponseAction.Delay wait) {
                    delay = delay.plus(wait.delay());
                    action = wait.then();
                }
                if (action instanceof ResponseAction.Forward forward) {
                    modified |= forward.modified();
                    continue;
                }
                return delay.isZero() ? action : ResponseAction.delay(delay, action);
            }
            ResponseAction forward = modified ? ResponseAction.forwardModified() : ResponseAction.forward();
            return delay.isZero() ? forward : ResponseAction.delay(delay, forward);
        }

        private void follow(InterceptedRequest request) {
            for (Follow follow : List.copyOf(follows)) {
                if (follow.requests().inRequests(request.apiKey()) && follow.follow().test(request)) {
                    follows.remove(follow);
                }
            }
            owedInterest = owedInterestNow();
        }

        private Interest owedInterestNow() {
            Interest wanted = Interest.NONE;
            for (OwedChange change : owed.values()) {
                wanted = wanted.andResponses(change.api());
            }
            for (Follow follow : follows) {
                wanted = wanted.and(follow.requests());
            }
            return wanted;
        }

        private RequestAction delayed(Duration delay, RequestAction action) {
            return delay.isZero() ? action : RequestAction.delay(delay, action);
        }

        /** One rule as this connection's faults see it. */
        private final class Applied implements FaultContext {

            private final LiveRule rule;

            Applied(LiveRule rule) {
                this.rule = rule;
            }

            LiveRule rule() {
                return rule;
            }

            @Override
            public ConnectionContext connection() {
                return connection;
            }

            @Override
            public boolean topicInScope(String topic) {
                return rule.rule().scope().topicMatches(topic);
            }

            @Override
            public boolean groupInScope(String group) {
                return rules.groupInScope(rule.rule().scope(), group, connection);
            }

            @Override
            public boolean namesGroups() {
                return rule.rule().scope().group() != null;
            }

            @Override
            public boolean hit() {
                return rule.hit();
            }

            @Override
            public Random random() {
                return rule.random();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T connectionState(Supplier<T> initial) {
                if (states == null) {
                    states = new IdentityHashMap<>();
                }
                return (T) states.computeIfAbsent(rule, r -> initial.get());
            }

            @Override
            public void changeResponse(int correlationId, ApiKeys api, Consumer<ApiMessage> change) {
                // Changes owed to one response, by several faults or for several partitions, are all made, in order.
                owed.merge(correlationId, new OwedChange(api, change),
                        (first, then) -> new OwedChange(api, first.change().andThen(then.change())));
                owedInterest = owedInterestNow();
            }

            @Override
            public void followRequests(Interest requests, Predicate<InterceptedRequest> follow) {
                if (follows.size() >= MAX_FOLLOWS) {
                    follows.remove(0);
                    followsDropped.increment();
                }
                follows.add(new Follow(requests, follow));
                owedInterest = owedInterestNow();
            }

            @Override
            public MeterRegistry registry() {
                return rules.registry();
            }
        }
    }
}
