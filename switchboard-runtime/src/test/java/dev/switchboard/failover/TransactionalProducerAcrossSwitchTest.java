package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.support.GatewayFixture;
import dev.switchboard.support.Records;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a transactional producer does across a switch, established with the real Java client: its producer id
 * and transaction state live in the old cluster's transaction coordinator, so its next transaction on the new
 * cluster fails for good, and a new producer with the same {@code transactional.id} works there at once. The
 * gateway cannot carry a transaction over: the producer id sits inside the checksummed record batches. This is
 * what docs/failover.md tells applications to do. The failure comes at once, not after the producer's two-minute
 * delivery timeout, because the gateway makes the new cluster create its transaction coordinator at the switch.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionalProducerAcrossSwitchTest {

    private static final String TOPIC = "txn-payments";
    private static final String TRANSACTIONAL_ID = "txn-payments-writer";

    private EmbeddedKafkaCluster secondary;
    private GatewayFixture gateway;

    @BeforeAll
    void start(@KafkaCluster(name = "txn-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
               @KafkaCluster(name = "txn-secondary", nodeIds = {2}) EmbeddedKafkaCluster secondary) {
        this.secondary = secondary;
        primary.createTopic(TOPIC, 1, 1);
        secondary.createTopic(TOPIC, 1, 1);
        // The secondary has never seen a transaction, as a disaster-recovery cluster fed by MirrorMaker 2 may not.
        gateway = new GatewayFixture(primary, secondary);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void nextTransactionFailsForGoodAndANewProducerWithTheSameIdWorksOnTheNewCluster() throws Exception {
        try (KafkaProducer<String, String> before = producer()) {
            before.initTransactions();
            before.beginTransaction();
            before.send(new ProducerRecord<>(TOPIC, "on-primary"));
            before.commitTransaction();

            ClusterSwitch.Outcome outcome = gateway.gateway().failover(secondary.name(), false, "txn-test");
            assertThat(outcome.result()).as(outcome.message()).isEqualTo("switched");

            Throwable failed = catchThrowable(() -> {
                before.beginTransaction();
                before.send(new ProducerRecord<>(TOPIC, "lost-with-its-producer")).get();
                before.commitTransaction();
            });
            assertThat(failed).as("the old producer's first transaction on the new cluster").isNotNull();
            assertThat(rootCause(failed)).isInstanceOf(InvalidPidMappingException.class);
        }
        List<String> sent = Records.numbered("on-secondary", 3);
        try (KafkaProducer<String, String> after = producer()) {
            after.initTransactions();
            after.beginTransaction();
            for (String value : sent) {
                after.send(new ProducerRecord<>(TOPIC, value));
            }
            after.commitTransaction();
        }
        // Read straight from the secondary: what the transaction left there for good.
        Records.assertExactlyOnce(sent, Records.committedValues(secondary.bootstrapServers(), TOPIC, sent.size(), Duration.ofSeconds(30)));
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> props = new HashMap<>(gateway.clientProperties("txn-payments-writer"));
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
