package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.failover.SwitchStateStore;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway config's {@code chaos:} section: the rules inline under {@code rules:} and those of {@code file:} are in
 * force from the start and listed by the REST API; a bad rule in the file stops the start naming the file and field,
 * and the file's good rules are not shared with the running instances.
 */
@ExtendWith(SharedClusters.class)
class ChaosRulesFromConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void rulesInlineAndFromTheFileAreInForceAtStartAndListed(@KafkaCluster(name = "chaos-app") EmbeddedKafkaCluster cluster)
            throws Exception {
        cluster.createTopic("config-broken", 1, 1);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                rules:
                  - name: file-broken
                    type: broken-broker
                    duration: 10m
                    scope: {topic: config-broken}
                    params:
                      errors: {produce: NOT_ENOUGH_REPLICAS}
                  - name: file-election
                    type: leader-election
                    scope: {topic: config-elsewhere}
                """);
        Path config = gatewayConfig(cluster, """
                chaos:
                  rules:
                    - name: config-slow
                      type: latency
                      scope: {clientId: config-slow-app}
                      params: {delay: 5ms}
                  file: %s
                """.formatted(rules));

        try (RunningGateway running = ServeCommand.start(ConfigLoader.load(config))) {
            try {
                // serve made an admin token and left it in admin.auth.tokenFile, for the CLI on this machine.
                String token = Files.readString(dir.resolve("admin-token")).strip();
                HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + running.adminPort() + "/api/v1/chaos/rules")).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(listed.statusCode()).isEqualTo(200);
                List<List<String>> shown = new ArrayList<>();
                for (JsonNode rule : JSON.readTree(listed.body())) {
                    shown.add(List.of(rule.path("name").asText(), rule.path("type").asText(), rule.path("scope").toString(),
                            rule.path("duration").asText(), rule.path("state").asText(), rule.path("addedBy").asText()));
                }
                assertThat(shown).containsExactly(
                        List.of("config-slow", "latency", "{\"clientId\":\"config-slow-app\"}", "1h", "active", "config"),
                        List.of("file-broken", "broken-broker", "{\"topic\":\"config-broken\"}", "10m", "active", rules.toString()),
                        List.of("file-election", "leader-election", "{\"topic\":\"config-elsewhere\"}", "1h", "active",
                                rules.toString()));

                try (KafkaProducer<String, String> producer = producerWithoutRetries(running)) {
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("config-broken", "refused")).get(60, TimeUnit.SECONDS))
                            .as("a send to the topic of the file's broken-broker rule")
                            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotEnoughReplicasException.class);
                }
            } finally {
                running.gateway().chaos().reset("test");
            }
        }
    }

    @Test
    void aBadRuleInTheFileStopsTheStartNamingFileAndFieldAndSharesNoneOfItsRules(
            @KafkaCluster(name = "chaos-app") EmbeddedKafkaCluster cluster) throws Exception {
        Path rules = dir.resolve("bad-rules.yaml");
        Files.writeString(rules, """
                rules:
                  - name: file-fine-before-a-bad-one
                    type: latency
                  - name: file-misspelt
                    type: latency
                    params: {delai: 1s}
                """);
        Path config = gatewayConfig(cluster, """
                chaos:
                  file: %s
                """.formatted(rules));

        StringWriter err = new StringWriter();
        int exit = SwitchboardCommand.commandLine().setErr(new PrintWriter(err, true)).execute("serve", "--config", config.toString());

        assertThat(exit).as(err.toString()).isEqualTo(ServeCommand.CONFIG_ERROR);
        assertThat(err.toString()).contains("Invalid configuration: " + config + ": " + rules
                + ": rules[1].params.delai: is not a parameter of this type");
        assertThat(chaosKeysInTheSwitchState(cluster)).as("rules shared through the switch state")
                .doesNotContain(SwitchStateStore.CHAOS_KEY_PREFIX + "file-fine-before-a-bad-one");
    }

    /** A gateway on free ports in front of {@code cluster}, with {@code chaos} as its config's chaos section. */
    private Path gatewayConfig(EmbeddedKafkaCluster cluster, String chaos) throws Exception {
        int[] ports = FreePorts.distinct(2);
        Path file = dir.resolve("gateway-" + ports[0] + ".yaml");
        Files.writeString(file, """
                listener:
                  bindHost: 127.0.0.1
                  advertisedHost: 127.0.0.1
                  bootstrapPort: %d
                  nodePorts: {first: %d, last: %d}
                admin: {bindHost: 127.0.0.1, port: 0, auth: {tokenFile: %s}}
                clusters:
                  - name: %s
                    bootstrapServers: %s
                """.formatted(ports[0], ports[1], ports[1], dir.resolve("admin-token"), cluster.name(), cluster.bootstrapServers())
                + chaos);
        return file;
    }

    private static KafkaProducer<String, String> producerWithoutRetries(RunningGateway running) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, running.gateway().config().listener().advertisedHost() + ":"
                + running.gateway().config().listener().bootstrapPort());
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Every chaos key the switch-state topic holds, read from its beginning to its end. */
    private static List<String> chaosKeysInTheSwitchState(EmbeddedKafkaCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            if (consumer.partitionsFor(SwitchStateStore.TOPIC).isEmpty()) {
                return keys;
            }
            TopicPartition partition = new TopicPartition(SwitchStateStore.TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.key().startsWith(SwitchStateStore.CHAOS_KEY_PREFIX)) {
                        keys.add(record.key());
                    }
                }
            }
            assertThat(consumer.position(partition)).as("position in the switch state read to its end").isGreaterThanOrEqualTo(end);
        }
        return keys;
    }
}
