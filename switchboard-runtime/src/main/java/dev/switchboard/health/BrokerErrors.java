package dev.switchboard.health;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ResponseAction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Counts the errors brokers put in produce responses, per cluster and partition. Registered last, closest to the
 * cluster, so it sees responses as the brokers sent them: an error a chaos rule answers with never reaches a broker
 * and never passes here, and one a chaos rule writes into a response is written after this saw it. Produce responses
 * of v10 and later are decoded for the address rewriters anyway, so looking at them costs little more.
 */
public final class BrokerErrors implements InterceptorFactory {

    private static final Interest PRODUCE = Interest.responses(ApiKeys.PRODUCE);

    private final Map<String, ProduceOutcomes> clusters = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public BrokerErrors(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "broker-errors";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new Interceptor() {
            private ProduceOutcomes outcomes;

            @Override
            public Interest interest() {
                return outcomes == null ? Interest.NONE : PRODUCE;
            }

            @Override
            public void clientIdentified(ConnectionContext context) {
                outcomes = context.servingCluster().map(BrokerErrors.this::outcomes).orElse(null);
            }

            @Override
            public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                ProduceResponseData produce = (ProduceResponseData) response.message();
                for (ProduceResponseData.TopicProduceResponse topic : produce.responses()) {
                    String name = context.topicName(topic.name(), topic.topicId()).orElse(null);
                    for (ProduceResponseData.PartitionProduceResponse partition : topic.partitionResponses()) {
                        outcomes.answered(name, partition.errorCode() == 0 ? null : Errors.forCode(partition.errorCode()).name());
                    }
                }
                return ResponseAction.forward();
            }
        };
    }

    /** The topics clients produced to on {@code cluster} through this gateway, at most {@value ProduceOutcomes#MAX_TOPICS}. */
    Set<String> topicsInUse(String cluster) {
        return outcomes(cluster).topics();
    }

    ProduceOutcomes.Snapshot snapshot(String cluster) {
        return outcomes(cluster).snapshot();
    }

    private ProduceOutcomes outcomes(String cluster) {
        return clusters.computeIfAbsent(cluster, name -> new ProduceOutcomes(Counter.builder("switchboard.health.topics.dropped")
                .description("Topics not watched for leaders: the bound on topics per cluster was reached")
                .tag("cluster", name).register(registry)));
    }
}
