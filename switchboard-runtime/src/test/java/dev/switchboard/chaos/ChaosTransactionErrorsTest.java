package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.support.Records;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code transaction-errors} felt by Java transactional producers through a real broker: retriable codes they ride
 * out, committing every transaction exactly once; fatal and abortable codes they surface as the matching exception;
 * and a producer out of scope that the rule never touches.
 */
class ChaosTransactionErrorsTest extends GatewayWithChaosRules {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aTransactionalProducerRidesOutRetriableErrorsAndCommitsEveryRecordOnce() throws Exception {
        cluster.createTopic("txn-chaos-orders", 1, 1);
        cluster.createTopic("txn-chaos-other", 1, 1);
        addRule("{\"name\":\"txn-retriable\",\"type\":\"transaction-errors\",\"rate\":30,"
                + "\"seed\":7,\"scope\":{\"clientId\":\"txn-orders\"}}");

        // Out of scope: another client id's transactions are never matched.
        List<String> other = Records.numbered("txn-chaos-other", 20);
        produceInTransactions("txn-other", "txn-chaos-other", other);
        RuleStatus afterOther = gateway.chaos().get("txn-retriable").orElseThrow();
        assertThat(afterOther.matched()).as("requests of the client out of scope matched").isZero();
        Records.assertExactlyOnce(other, committed("txn-chaos-other", other.size()));

        List<String> orders = Records.numbered("txn-chaos-orders", 100);
        produceInTransactions("txn-orders", "txn-chaos-orders", orders);

        // At least one InitProducerId, then a TxnOffsetCommit and an EndTxn for each of the 20 transactions (and on a
        // cluster below transaction.version 2, an AddPartitionsToTxn and an AddOffsetsToTxn too).
        RuleStatus status = gateway.chaos().get("txn-retriable").orElseThrow();
        assertThat(status.matched()).as("transaction requests matched").isGreaterThanOrEqualTo(41);
        assertThat(status.affected()).as("transaction requests failed").isPositive().isLessThan(status.matched());
        Records.assertExactlyOnce(orders, committed("txn-chaos-orders", orders.size()));
    }

    @Test
    void aFatalCodeOnEndTxnReachesTheApplicationAsItsException() throws Exception {
        cluster.createTopic("txn-chaos-denied", 1, 1);
        addRule("{\"name\":\"txn-denied\",\"type\":\"transaction-errors\","
                + "\"scope\":{\"clientId\":\"txn-denied\"},"
                + "\"params\":{\"errors\":{\"EndTxn\":\"TRANSACTIONAL_ID_AUTHORIZATION_FAILED\"}}}");

        try (KafkaProducer<String, String> producer = producer("txn-denied")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-chaos-denied", "never-committed")).get();
            assertThatThrownBy(producer::commitTransaction).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
        RuleStatus status = gateway.chaos().get("txn-denied").orElseThrow();
        assertThat(status.affected()).as("EndTxn requests failed").isEqualTo(1);
    }

    @Test
    void anAbortableCodeOnTxnOffsetCommitLetsTheApplicationAbortAndCommitTheNextTransaction() throws Exception {
        cluster.createTopic("txn-chaos-abortable", 1, 1);
        addRule("{\"name\":\"txn-group-denied\",\"type\":\"transaction-errors\",\"maxHits\":1,"
                + "\"scope\":{\"clientId\":\"txn-abortable\",\"group\":\"txn-abortable-readers\"},"
                + "\"params\":{\"errors\":{\"TxnOffsetCommit\":\"GROUP_AUTHORIZATION_FAILED\","
                + "\"AddOffsetsToTxn\":\"GROUP_AUTHORIZATION_FAILED\"}}}");

        try (KafkaProducer<String, String> producer = producer("txn-abortable")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-chaos-abortable", "aborted")).get();
            assertThatThrownBy(() -> producer.sendOffsetsToTransaction(offsets("txn-chaos-abortable", 1),
                    new ConsumerGroupMetadata("txn-abortable-readers"))).isInstanceOf(GroupAuthorizationException.class);
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-chaos-abortable", "committed")).get();
            producer.sendOffsetsToTransaction(offsets("txn-chaos-abortable", 2), new ConsumerGroupMetadata("txn-abortable-readers"));
            producer.commitTransaction();
        }
        Records.assertExactlyOnce(List.of("committed"), committed("txn-chaos-abortable", 1));
    }

    /** Five records a transaction, each transaction also committing a consumer offset, as a read-process-write app. */
    private void produceInTransactions(String clientId, String topic, List<String> values) {
        try (KafkaProducer<String, String> producer = producer(clientId)) {
            producer.initTransactions();
            for (int start = 0; start < values.size(); start += 5) {
                producer.beginTransaction();
                for (String value : values.subList(start, Math.min(start + 5, values.size()))) {
                    producer.send(new ProducerRecord<>(topic, value, value));
                }
                producer.sendOffsetsToTransaction(offsets(topic, start + 5), new ConsumerGroupMetadata(clientId + "-readers"));
                producer.commitTransaction();
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(String topic, long offset) {
        return Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset));
    }

    private KafkaProducer<String, String> producer(String clientId) {
        Map<String, Object> props = new HashMap<>(fixture.clientProperties(clientId));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, clientId + "-tx");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private List<String> committed(String topic, int expected) {
        return new ArrayList<>(Records.committedValues(cluster.bootstrapServers(), topic, expected, WAIT));
    }
}
