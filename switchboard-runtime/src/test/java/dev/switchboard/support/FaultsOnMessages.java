package dev.switchboard.support;

import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A fault applied straight to decoded messages, without a gateway: for tests of what a fault does to a message's
 * content. Every request and response is in the rule's group scope and hit; topics are in scope by {@code topics}.
 */
public final class FaultsOnMessages implements FaultContext {

    private final Predicate<String> topics;
    private final Random random;
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private int hits;

    public FaultsOnMessages(Predicate<String> topics, long seed) {
        this.topics = topics;
        this.random = new Random(seed);
    }

    public ResponseAction onFetch(Fault fault, FetchResponseData fetch) {
        return fault.onResponse(new StubResponse(ApiKeys.FETCH, ApiKeys.FETCH.latestVersion(), 1, fetch), this);
    }

    public RequestAction onProduce(Fault fault, ProduceRequestData produce) {
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), "test", 1);
        return fault.onRequest(new StubRequest(header, produce), this);
    }

    /** How many requests and responses the fault counted as hit. */
    public int hits() {
        return hits;
    }

    @Override
    public ConnectionContext connection() {
        throw new UnsupportedOperationException("no connection: topics are matched by name");
    }

    @Override
    public boolean topicInScope(String topic) {
        return topics.test(topic);
    }

    @Override
    public boolean topicInScope(String name, Uuid topicId) {
        return topics.test(name);
    }

    @Override
    public boolean groupInScope(String group) {
        return true;
    }

    @Override
    public boolean namesGroups() {
        return false;
    }

    @Override
    public boolean groupInScope(InterceptedRequest request) {
        return true;
    }

    @Override
    public boolean hit() {
        hits++;
        return true;
    }

    @Override
    public Random random() {
        return random;
    }

    @Override
    public <T> T connectionState(Supplier<T> initial) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void changeResponse(int correlationId, ApiKeys api, Consumer<ApiMessage> change) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void followRequests(Interest requests, Predicate<InterceptedRequest> follow) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MeterRegistry registry() {
        return registry;
    }
}
