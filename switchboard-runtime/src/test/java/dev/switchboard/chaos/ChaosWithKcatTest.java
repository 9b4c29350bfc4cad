package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import dev.switchboard.support.Kcat;
import dev.switchboard.support.Records;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chaos rules felt by librdkafka, through kcat: a broken broker fails its sends to the topic in scope with the
 * broker's error and leaves another topic alone, and latency for one client id delays that client only.
 *
 * <p>Each case adds a rule, drives kcat with {@link #produce} and {@link #consume}, and counts what arrived with
 * {@link Records}; a fault type that changes what a consumer reads (such as duplicates) is one more such case.
 */
class ChaosWithKcatTest extends GatewayWithChaosRules {

    /** librdkafka retries a failed produce for five minutes by default; a test wants to see the first failure. */
    private static final String NO_RETRIES = "message.send.max.retries=0";

    @BeforeAll
    void requireKcat() {
        Kcat.assumeInstalled();
    }

    @Test
    void brokenBrokerFailsKcatsSendsToItsTopicWithTheBrokersErrorAndNotAnotherTopics() throws Exception {
        cluster.createTopic("kcat-chaos-broken", 1, 1);
        cluster.createTopic("kcat-chaos-healthy", 1, 1);
        addRule("{\"name\":\"kcat-broken\",\"type\":\"broken-broker\",\"scope\":{\"topic\":\"kcat-chaos-broken\"},"
                + "\"params\":{\"errors\":{\"produce\":\"NOT_ENOUGH_REPLICAS\"}}}");

        List<String> refused = Records.numbered("kcat-broken", 5);
        Kcat.Run broken = produce("kcat-chaos-broken", refused, "kcat-broken-producer");
        assertThat(broken.exit()).as("kcat's exit code after failed sends; stderr: %s", broken.err()).isNotZero();
        assertThat(broken.err().lines().filter(line -> line.contains("Delivery failed")
                && line.contains("Not enough in-sync replicas"))).as(broken.err()).hasSize(refused.size());
        assertThat(consume("kcat-chaos-broken")).as("records written by failed sends").isEmpty();
        RuleStatus afterBroken = gateway.chaos().get("kcat-broken").orElseThrow();
        assertThat(afterBroken.affected()).as("produce requests failed").isPositive();

        List<String> healthy = Records.numbered("kcat-healthy", 50);
        Kcat.Run delivered = produce("kcat-chaos-healthy", healthy, "kcat-healthy-producer");
        assertThat(delivered.exit()).as(delivered.err()).isZero();
        Records.assertExactlyOnce(healthy, consume("kcat-chaos-healthy"));
        RuleStatus afterHealthy = gateway.chaos().get("kcat-broken").orElseThrow();
        assertThat(afterHealthy.matched()).as("matched after sends to the topic out of scope").isEqualTo(afterBroken.matched());
        assertThat(afterHealthy.affected()).isEqualTo(afterBroken.affected());
    }

    @Test
    void latencyForOneClientIdDelaysKcatsProducesUnderThatIdOnly() throws Exception {
        cluster.createTopic("kcat-chaos-latency", 1, 1);
        long delayMillis = 1000;
        addRule("{\"name\":\"kcat-slow\",\"type\":\"latency\",\"scope\":{\"clientId\":\"kcat-slow\"},"
                + "\"params\":{\"delay\":\"" + delayMillis + "ms\",\"apis\":[\"Produce\"]}}");

        List<String> slow = Records.numbered("kcat-slow", 3);
        Kcat.Run delayed = produce("kcat-chaos-latency", slow, "kcat-slow");
        assertThat(delayed.exit()).as(delayed.err()).isZero();
        assertThat(delayed.took().toMillis()).as("ms kcat took to produce under the delayed client id")
                .isGreaterThanOrEqualTo(delayMillis);
        RuleStatus afterSlow = gateway.chaos().get("kcat-slow").orElseThrow();
        assertThat(afterSlow.affected()).as("produce requests delayed").isPositive();

        List<String> fast = Records.numbered("kcat-fast", 3);
        Kcat.Run undelayed = produce("kcat-chaos-latency", fast, "kcat-fast");
        assertThat(undelayed.exit()).as(undelayed.err()).isZero();
        RuleStatus afterFast = gateway.chaos().get("kcat-slow").orElseThrow();
        assertThat(afterFast.matched()).as("matched after another client id produced").isEqualTo(afterSlow.matched());
        assertThat(afterFast.affected()).isEqualTo(afterSlow.affected());

        List<String> sent = new ArrayList<>(slow);
        sent.addAll(fast);
        Records.assertExactlyOnce(sent, consume("kcat-chaos-latency"));
    }

    /** Sends each value as one message, without retries, as {@code clientId}; acks=all. */
    private Kcat.Run produce(String topic, List<String> values, String clientId) throws IOException, InterruptedException {
        return Kcat.run(fixture.bootstrap(), String.join("\n", values) + "\n", "-P", "-t", topic, "-X", "acks=all",
                "-X", NO_RETRIES, "-X", "client.id=" + clientId);
    }

    /** Every value on the topic, from the beginning to the end kcat finds. */
    private List<String> consume(String topic) throws IOException, InterruptedException {
        Kcat.Run read = Kcat.run(fixture.bootstrap(), null, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-X", "client.id=kcat-chaos-reader", "-f", "%s\\n");
        assertThat(read.exit()).as("kcat -C %s: %s", topic, read.err()).isZero();
        return read.lines();
    }
}
