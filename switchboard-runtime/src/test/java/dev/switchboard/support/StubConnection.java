package dev.switchboard.support;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.intercept.ConnectionContext;
import org.apache.kafka.common.Uuid;

/**
 * A connection as an interceptor sees it, for tests of one interceptor: client "app" on the bootstrap listener, served
 * by {@code cluster} (none when null), knowing the topic names {@code topicNames}.
 */
public record StubConnection(String cluster, Map<Uuid, String> topicNames) implements ConnectionContext {

    @Override
    public String clientId() {
        return "app";
    }

    @Override
    public InetSocketAddress clientAddress() {
        return null;
    }

    @Override
    public String listener() {
        return "bootstrap";
    }

    @Override
    public Optional<String> servingCluster() {
        return Optional.ofNullable(cluster);
    }

    @Override
    public Optional<String> principal() {
        return Optional.empty();
    }

    @Override
    public Optional<String> topicName(Uuid topicId) {
        return Optional.ofNullable(topicNames.get(topicId));
    }
}
