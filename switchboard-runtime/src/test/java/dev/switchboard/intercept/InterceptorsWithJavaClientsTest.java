package dev.switchboard.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.support.TestInterceptors;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each capability of the interception layer, felt by real Java clients through a real broker: a partition error the
 * producer retries, a delayed fetch, a closed connection, a dropped fetch the consumer times out on, delayed produce
 * responses, record values rewritten in a produce request (the broker checks the batches) and in a fetch response
 * (the consumer checks them). Every record is counted for loss and duplication, and every failed send.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterceptorsWithJavaClientsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int REFUSALS = 3;

    private static final int CLOSES = 2;

    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger delayed = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger delayedResponses = new AtomicInteger();
    private final List<String> fetchTopicsSeen = new CopyOnWriteArrayList<>();
    private EmbeddedKafkaCluster cluster;
    private GatewayFixture gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "primary") EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
        this.gateway = GatewayFixture.withInterceptors(List.of(new RefuseFirstProduces(), new DelayFetches(), new ShoutValues(),
                closeFirstProduces(), dropFirstFetch(), delayProduceResponses(), markProducedValues()), cluster);
    }

    @AfterAll
    void stopGateway() {
        gateway.close();
    }

    @AfterEach
    void noUpstreamAddressReachedAClient() {
        assertThat(gateway.detector().sightings()).isEmpty();
    }

    @Test
    void aProducerRetriesAPartitionErrorAnsweredByTheGatewayAndLosesNothing() throws Exception {
        cluster.createTopic("flaky", 2, 1);
        List<String> sent = Records.numbered("flaky", 300);

        int failedSends = produce("flaky", sent);

        assertThat(failedSends).isZero();
        assertThat(refused).hasValue(REFUSALS);
        assertThat(actions("refuse-first-produces", "answer")).isEqualTo(REFUSALS);
        Records.assertExactlyOnce(sent, consume("flaky", sent.size()));
    }

    @Test
    void aDelayedFetchStillDeliversEveryRecordOnce() throws Exception {
        cluster.createTopic("slow", 1, 1);
        List<String> sent = Records.numbered("slow", 200);
        assertThat(produce("slow", sent)).isZero();

        List<String> received = consume("slow", sent.size());

        Records.assertExactlyOnce(sent, received);
        assertThat(delayed.get()).as("fetches of 'slow' delayed, found by its topic id").isPositive();
        assertThat(fetchTopicsSeen).contains("slow");
    }

    @Test
    void recordValuesRewrittenInAFetchResponseReachTheConsumerWithValidChecksums() throws Exception {
        cluster.createTopic("shouted", 1, 1);
        List<String> sent = Records.numbered("quiet", 100);
        assertThat(produce("shouted", sent)).isZero();

        List<String> received = consume("shouted", sent.size());

        Records.assertExactlyOnce(sent.stream().map(value -> value.toUpperCase()).toList(), received);
        assertThat(actions("shout-values", "answer")).isZero();
    }

    @Test
    void aProducerWhoseConnectionTheGatewayClosesReconnectsAndLosesNothing() throws Exception {
        cluster.createTopic("closing", 2, 1);
        List<String> sent = Records.numbered("closing", 300);

        assertThat(produce("closing", sent)).isZero();

        assertThat(closed).hasValue(CLOSES);
        assertThat(gateway.gateway().metrics().registry().find("switchboard.connections.closed").tag("cause", "test_close")
                .counter().count()).isEqualTo(CLOSES);
        Records.assertExactlyOnce(sent, consume("closing", sent.size()));
    }

    @Test
    void aConsumerWhoseFetchIsDroppedTimesOutReconnectsAndReadsEverythingOnce() throws Exception {
        cluster.createTopic("dropped", 1, 1);
        List<String> sent = Records.numbered("dropped", 100);
        assertThat(produce("dropped", sent)).isZero();

        List<String> received = consume("dropped", sent.size(), Map.of(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));

        assertThat(dropped).hasValue(1);
        Records.assertExactlyOnce(sent, received);
    }

    @Test
    void delayedProduceResponsesStillAcknowledgeEverySend() throws Exception {
        cluster.createTopic("late", 2, 1);
        List<String> sent = Records.numbered("late", 200);

        assertThat(produce("late", sent)).isZero();

        assertThat(delayedResponses.get()).isPositive();
        Records.assertExactlyOnce(sent, consume("late", sent.size()));
    }

    @Test
    void produceRequestsChangedOnTheWayAreStoredChangedWithBatchesTheBrokerAccepts() throws Exception {
        cluster.createTopic("marked", 2, 1);
        List<String> sent = Records.numbered("marked", 200);

        assertThat(produce("marked", sent)).isZero();

        Records.assertExactlyOnce(sent.stream().map(value -> value + "+marked").toList(), consume("marked", sent.size()));
    }

    /** The first produces to {@code closing} close their connection; the producer retries on a new one. */
    private InterceptorFactory closeFirstProduces() {
        return TestInterceptors.onRequests("close-first-produces", Interest.requests(ApiKeys.PRODUCE), (request, context) ->
                producesTo((ProduceRequestData) request.message(), context, "closing")
                        && closed.getAndUpdate(count -> Math.min(count + 1, CLOSES)) < CLOSES
                        ? RequestAction.close("test_close", "a test closes the producer's connection")
                        : RequestAction.forward());
    }

    /** The first fetch of {@code dropped} is never answered: the consumer's request times out. */
    private InterceptorFactory dropFirstFetch() {
        return TestInterceptors.onRequests("drop-first-fetch", Interest.requests(ApiKeys.FETCH), (request, context) -> {
            boolean ofDropped = ((FetchRequestData) request.message()).topics().stream()
                    .anyMatch(topic -> context.topicName(topic.topic(), topic.topicId()).filter("dropped"::equals).isPresent());
            return ofDropped && dropped.compareAndSet(0, 1) ? RequestAction.drop() : RequestAction.forward();
        });
    }

    /** Produce responses for {@code late} reach the producer 200 ms after the broker sent them. */
    private InterceptorFactory delayProduceResponses() {
        return TestInterceptors.onResponses("delay-produce-responses", Interest.responses(ApiKeys.PRODUCE), (response, context) -> {
            boolean ofLate = ((ProduceResponseData) response.message()).responses().stream()
                    .anyMatch(topic -> context.topicName(topic.name(), topic.topicId()).filter("late"::equals).isPresent());
            if (!ofLate) {
                return ResponseAction.forward();
            }
            delayedResponses.incrementAndGet();
            return ResponseAction.delay(Duration.ofMillis(200), ResponseAction.forward());
        });
    }

    /** Values produced to {@code marked} get a suffix on their way to the broker, in re-checksummed batches. */
    private static InterceptorFactory markProducedValues() {
        return TestInterceptors.onRequests("mark-produced-values", Interest.requests(ApiKeys.PRODUCE), (request, context) -> {
            ProduceRequestData produce = (ProduceRequestData) request.message();
            if (!producesTo(produce, context, "marked")) {
                return RequestAction.forward();
            }
            for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
                for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                    partition.setRecords(RecordBatches.rewriteValues((MemoryRecords) partition.records(), value ->
                            ByteBuffer.wrap((StandardCharsets.UTF_8.decode(value.duplicate()) + "+marked").getBytes(StandardCharsets.UTF_8))));
                }
            }
            return RequestAction.forwardModified();
        });
    }

    private static boolean producesTo(ProduceRequestData produce, ConnectionContext context, String name) {
        return produce.topicData().stream()
                .anyMatch(topic -> context.topicName(topic.name(), topic.topicId()).filter(name::equals).isPresent());
    }

    private double actions(String interceptor, String action) {
        var counter = gateway.gateway().metrics().registry().find("switchboard.interceptor.actions")
                .tag("interceptor", interceptor).tag("action", action).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Sends every value and returns how many sends failed. */
    private int produce(String topic, List<String> values) throws Exception {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("producer-" + topic));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            return Records.failedSends(producer, topic, values, 0);
        }
    }

    private List<String> consume(String topic, int expected) {
        return consume(topic, expected, Map.of());
    }

    private List<String> consume(String topic, int expected, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("consumer-" + topic));
        props.putAll(overrides);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return Records.pollValues(consumer, expected, WAIT);
        }
    }

    /** The first produces to {@code flaky} get NOT_LEADER_OR_FOLLOWER on every partition, which producers retry. */
    private final class RefuseFirstProduces implements InterceptorFactory {
        @Override
        public String name() {
            return "refuse-first-produces";
        }

        @Override
        public Interceptor create(ConnectionContext connection) {
            return new Interceptor() {
                @Override
                public Interest interest() {
                    return refused.get() < REFUSALS ? Interest.requests(ApiKeys.PRODUCE) : Interest.NONE;
                }

                @Override
                public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                    ProduceRequestData produce = (ProduceRequestData) request.message();
                    boolean flaky = producesTo(produce, context, "flaky");
                    if (!flaky || refused.getAndIncrement() >= REFUSALS) {
                        return RequestAction.forward();
                    }
                    return RequestAction.answerError(Errors.NOT_LEADER_OR_FOLLOWER, "a test says the leader moved");
                }
            };
        }
    }

    /** Fetches that name topic {@code slow} wait 300 ms before they go to the broker. */
    private final class DelayFetches implements InterceptorFactory {
        @Override
        public String name() {
            return "delay-fetches";
        }

        @Override
        public Interceptor create(ConnectionContext connection) {
            return new Interceptor() {
                @Override
                public Interest interest() {
                    return Interest.requests(ApiKeys.FETCH);
                }

                @Override
                public RequestAction onRequest(InterceptedRequest request, ConnectionContext context) {
                    for (FetchRequestData.FetchTopic topic : ((FetchRequestData) request.message()).topics()) {
                        Optional<String> name = context.topicName(topic.topic(), topic.topicId());
                        name.ifPresent(fetchTopicsSeen::add);
                        if (name.filter("slow"::equals).isPresent()) {
                            delayed.incrementAndGet();
                            return RequestAction.delay(Duration.ofMillis(300), RequestAction.forward());
                        }
                    }
                    return RequestAction.forward();
                }
            };
        }
    }

    /** Record values of topic {@code shouted} reach consumers upper-cased, in re-checksummed batches. */
    private static final class ShoutValues implements InterceptorFactory {
        @Override
        public String name() {
            return "shout-values";
        }

        @Override
        public Interceptor create(ConnectionContext connection) {
            return new Interceptor() {
                @Override
                public Interest interest() {
                    return Interest.responses(ApiKeys.FETCH);
                }

                @Override
                public ResponseAction onResponse(InterceptedResponse response, ConnectionContext context) {
                    boolean changed = false;
                    for (FetchResponseData.FetchableTopicResponse topic : ((FetchResponseData) response.message()).responses()) {
                        String name = context.topicName(topic.topic(), topic.topicId()).orElse("");
                        if (!name.equals("shouted")) {
                            continue;
                        }
                        for (FetchResponseData.PartitionData partition : topic.partitions()) {
                            if (partition.records() instanceof MemoryRecords records && records.sizeInBytes() > 0) {
                                partition.setRecords(RecordBatches.rewriteValues(records, ShoutValues::upperCase));
                                changed = true;
                            }
                        }
                    }
                    return changed ? ResponseAction.forwardModified() : ResponseAction.forward();
                }
            };
        }

        private static ByteBuffer upperCase(ByteBuffer value) {
            return ByteBuffer.wrap(StandardCharsets.UTF_8.decode(value.duplicate()).toString().toUpperCase()
                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}
