package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchboard.config.FailoverConfig;
import dev.switchboard.config.RecoveryConfig;
import dev.switchboard.failover.recovery.ApplicationRecovery;
import dev.switchboard.gateway.Gateway;
import dev.switchboard.support.Await;
import dev.switchboard.support.GatewayFixture;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.KafkaCluster;
import dev.switchboard.testkit.SharedClusters;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code switchboard failover} and {@code switchboard failover last [--watch]} as processes of their own against a
 * running gateway in front of two clusters, as a user runs them: what each prints, row by row, and its exit code.
 */
@ExtendWith(SharedClusters.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverLastProcessTest {

    private static final String TOPIC = "last-orders";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedKafkaCluster secondary;
    private GatewayWithAdminApi running;
    private Gateway gateway;

    @BeforeAll
    void startGateway(@KafkaCluster(name = "last-primary", nodeIds = {0}) EmbeddedKafkaCluster primary,
                      @KafkaCluster(name = "last-secondary", nodeIds = {5}) EmbeddedKafkaCluster secondary) {
        this.secondary = secondary;
        primary.createTopic(TOPIC, 1, 1);
        secondary.createTopic(TOPIC, 1, 1);
        // A one-second window, so that an application closed two seconds before the switch was not running then.
        running = new GatewayWithAdminApi(new GatewayFixture(new FailoverConfig(null, List.of("last-orders-*"), null, null,
                null, new RecoveryConfig("1s", "5m", null)), primary, secondary));
        gateway = running.gateway();
    }

    @AfterAll
    void stopGateway() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void lastShowsWhoMustComeBackAndWatchExitsOnceTheyAreOrWhenItTimesOut() throws Exception {
        SwitchboardProcess none = running.run("failover", "last");
        assertThat(none.exit()).as(none.toString()).isEqualTo(FailoverCommand.REFUSED);
        assertThat(none.err()).contains("no switch has happened since this gateway started");

        send("last-nightly", 1).close();
        Thread.sleep(2_000); // longer than the active window: the nightly job is not running at the switch
        KafkaProducer<String, String> orders = send("last-orders-api", 3);
        KafkaProducer<String, String> leaver = send("last-leaver", 1);

        SwitchboardProcess switched = running.run("failover", "--to", secondary.name());
        assertThat(switched.exit()).as(switched.toString()).isZero();
        assertThat(switched.out()).contains("Failover to last-secondary", "switched:",
                "Watch recovery with: switchboard failover last --admin " + running.adminUrl());
        // Gone at the switch: it was running, so it must come back, and it does not yet.
        leaver.close(Duration.ofSeconds(5));
        orders.send(new ProducerRecord<>(TOPIC, "orders after the switch")).get(60, TimeUnit.SECONDS);
        Await.until(() -> gateway.lastRecovery().map(r -> r.applications().stream()
                        .anyMatch(app -> app.clientId().equals("last-orders-api") && app.back())).orElse(false), WAIT,
                "last-orders-api to be back");

        SwitchboardProcess timedOut = running.run("failover", "last", "--watch", "--timeout", "2s");
        assertThat(timedOut.exit()).as(timedOut.toString()).isEqualTo(FailoverCommand.Last.TIMED_OUT);
        assertThat(timedOut.outLines()).last().isEqualTo("Timed out after 2s: not back [\"last-leaver\"]");
        Map<String, Map<String, String>> waiting = lastTable(timedOut);
        assertThat(waiting.keySet()).as("Wave 1 first").containsExactly("last-orders-api", "last-leaver", "last-nightly");
        assertThat(waiting.get("last-orders-api")).containsEntry("WAVE1", "yes").containsEntry("AT-SWITCH", "running")
                .containsEntry("FETCHED", "-").containsEntry("COMMITTED", "-").containsEntry("BACK", "yes");
        assertThat(waiting.get("last-orders-api").get("PRODUCED")).matches("\\+\\d+\\.\\d{3}s");
        assertThat(waiting.get("last-leaver")).containsEntry("WAVE1", "-").containsEntry("AT-SWITCH", "running")
                .containsEntry("PRODUCED", "waiting").containsEntry("BACK", "NO");
        assertThat(waiting.get("last-nightly")).containsEntry("AT-SWITCH", "not-running").containsEntry("BACK", "-");
        assertThat(timedOut.out()).contains("  not back: [\"last-leaver\"]", "  recovery time (wave1): ");

        SwitchboardProcess once = running.run("failover", "last");
        assertThat(once.exit()).as(once.toString()).isZero();
        assertThat(once.outLines().stream().filter(line -> line.startsWith("Switch epoch"))).hasSize(1);
        assertThat(lastTable(once)).isEqualTo(waiting);

        send("last-leaver", 1).close();
        send("last-newcomer", 1).close();
        SwitchboardProcess watched = running.run("failover", "last", "--watch", "--timeout", "60s");
        assertThat(watched.exit()).as(watched.toString()).isZero();
        assertThat(watched.outLines()).last().isEqualTo("Every application that was running at the switch is back.");
        Map<String, Map<String, String>> back = lastTable(watched);
        assertThat(back.get("last-leaver")).containsEntry("BACK", "yes");
        assertThat(back.get("last-newcomer")).containsEntry("AT-SWITCH", "new").containsEntry("BACK", "new");
        ApplicationRecovery leaverBack = gateway.lastRecovery().orElseThrow().applications().stream()
                .filter(app -> app.clientId().equals("last-leaver")).findFirst().orElseThrow();
        assertThat(watched.out()).contains("  not back: []",
                "  recovery time (wave1): " + gateway.lastRecovery().orElseThrow().rtoMillis() + " ms");
        assertThat(leaverBack.back()).isTrue();
        orders.close(Duration.ofSeconds(5));
    }

    @Test
    void aTimeoutThatIsNotADurationIsRefusedNamingTheOption() throws Exception {
        SwitchboardProcess bad = running.run("failover", "last", "--watch", "--timeout", "soon");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("switchboard failover last: --timeout 'soon' is not a duration");
        assertThat(bad.out()).isEmpty();
    }

    /**
     * A producer under {@code clientId} that has had {@code records} acknowledged. Not idempotent: both clusters number
     * producer ids from 0, so a producer new on the secondary can be handed the id another one took there across the
     * switch, and be refused for its epoch; producer identity across a switch is not what this test is about.
     */
    private KafkaProducer<String, String> send(String clientId, int records) throws Exception {
        Map<String, Object> props = new LinkedHashMap<>(running.fixture().clientProperties(clientId));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        for (int i = 0; i < records; i++) {
            producer.send(new ProducerRecord<>(TOPIC, clientId + ":" + i)).get(60, TimeUnit.SECONDS);
        }
        return producer;
    }

    /**
     * The last table the command printed, each application's row by its name, each cell by its column's header; every
     * cell starts where its header does.
     */
    private static Map<String, Map<String, String>> lastTable(SwitchboardProcess run) {
        List<String> lines = run.out().lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("APPLICATION ")) {
                header = i;
            }
        }
        assertThat(header).as("a table in\n%s", run.out()).isNotNegative();
        String headerLine = lines.get(header);
        assertThat(headerLine.strip().split("\\s+")).containsExactlyElementsOf(RecoveryTable.HEADER);
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(header + 1, lines.size())) {
            if (line.isBlank()) {
                break;
            }
            String[] cells = line.strip().split("\\s+");
            assertThat(cells).as("cells of %s", line).hasSameSizeAs(RecoveryTable.HEADER);
            Map<String, String> row = new LinkedHashMap<>();
            int from = 0;
            for (int i = 0; i < cells.length; i++) {
                String column = RecoveryTable.HEADER.get(i);
                int at = line.indexOf(cells[i], from);
                assertThat(at).as("where %s starts in\n%s\n%s", column, headerLine, line).isEqualTo(headerLine.indexOf(column));
                from = at + cells[i].length();
                row.put(column, cells[i]);
            }
            rows.put(row.get("APPLICATION"), row);
        }
        return rows;
    }
}
