package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.switchboard.support.Await;
import dev.switchboard.support.GroupMember;
import dev.switchboard.support.Ledger;
import dev.switchboard.support.Progress;
import dev.switchboard.support.Records;
import dev.switchboard.support.SequencedProducer;
import dev.switchboard.testkit.FreePorts;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    /** The demo's user's home, where it keeps the admin token for the CLI. */
    @TempDir
    Path home;

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Records each producer must have acknowledged on a cluster before the test moves on. */
    private static final int PER_PHASE = 40;

    @Test
    void demoServesClientsAndPrintsWhatToTry() throws Exception {
        DemoCommand demo = demoOnFreePorts();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String bootstrap = "localhost:" + demo.bootstrapPort;
        try (RunningGateway running = demo.start(new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String welcome = printed.toString(StandardCharsets.UTF_8);
            assertThat(welcome).contains("Kafka bootstrap (through the gateway):  " + bootstrap)
                    .contains("kcat -b " + bootstrap + " -L")
                    .contains("MirrorMaker 2 is copying primary -> secondary")
                    .contains("http://127.0.0.1:" + demo.adminPort + "/api/v1/status");

            List<String> sent = List.of("one", "two", "three");
            Map<String, Object> producerProps = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    CommonClientConfigs.CLIENT_ID_CONFIG, "demo-producer",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
                for (String value : sent) {
                    producer.send(new ProducerRecord<>(DemoCommand.DEMO_TOPIC, value)).get(30, TimeUnit.SECONDS);
                }
            }
            Map<String, Object> consumerProps = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "demo-readers",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            List<String> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
                consumer.subscribe(List.of(DemoCommand.DEMO_TOPIC));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
                }
            }
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(readFromSecondary(running, sent.size())).containsExactlyInAnyOrderElementsOf(sent);

            // The token the demo printed is the one it left for the CLI, readable by its owner only.
            Path tokenFile = Path.of(demo.tokenFile);
            String token = Files.readString(tokenFile).strip();
            assertThat(welcome).contains(token).contains("kept in " + tokenFile);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + demo.adminPort + "/api/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + demo.adminPort + "/api/v1/status")).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"activeCluster\" : \"primary\"").contains("\"name\" : \"secondary\"");
            assertThat(running.gateway().metrics().scrape()).contains("switchboard_requests_total{api=\"Produce\"}");

            failoverFromTheCommandLine(running, "http://127.0.0.1:" + demo.adminPort, bootstrap);
        }
    }

    /**
     * The whole cycle a user runs: a planned switch to the secondary and a planned failback to the primary, from the
     * command line as a process of its own, while idempotent producers and a consumer group run through the gateway,
     * never restarted. The demo turns MirrorMaker 2 around after each switch, so nothing is lost, read twice or
     * failed, and each cluster ends up holding every acknowledged record exactly once.
     */
    @Test
    void plannedSwitchAndFailbackInTheDemoLoseAndDuplicateNothing() throws Exception {
        DemoCommand demo = demoOnFreePorts();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String admin = "http://127.0.0.1:" + demo.adminPort;
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + demo.bootstrapPort);
        List<SequencedProducer> producers = new ArrayList<>();
        List<GroupMember> readers = new ArrayList<>();
        try (RunningGateway running = demo.start(new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .contains("./switchboard failover --to secondary --planned --admin " + admin)
                    .contains("./switchboard failover --to primary --planned --admin " + admin);
            try {
                for (int i = 1; i <= 2; i++) {
                    producers.add(new SequencedProducer("failback-producer-" + i, DemoCommand.DEMO_TOPIC, 50, client));
                    readers.add(new GroupMember("failback-reader-" + i, "failback-readers", DemoCommand.DEMO_TOPIC, client,
                            GroupMember.SHORT_SESSIONS));
                }
                Progress.await(producers, readers, 0, PER_PHASE, WAIT, "on the primary");

                plannedSwitch(running, "secondary", admin, printed);
                Progress.await(producers, readers, System.currentTimeMillis(), PER_PHASE, WAIT, "on the secondary");
                plannedSwitch(running, "primary", admin, printed);
                Progress.await(producers, readers, System.currentTimeMillis(), PER_PHASE, WAIT, "back on the primary");

                for (SequencedProducer producer : producers) {
                    producer.stop(WAIT);
                    assertThat(producer.failures()).as(producer.name() + "'s failed sends").isEmpty();
                }
                Set<String> acknowledged = new HashSet<>();
                producers.forEach(producer -> acknowledged.addAll(producer.acknowledged()));
                Await.until(() -> Ledger.of(acknowledged, GroupMember.consumedBy(readers)).lost().isEmpty(), WAIT,
                        "the readers to read every record");
                Ledger ledger = Ledger.of(acknowledged, GroupMember.consumedBy(readers));
                assertThat(ledger.lost()).as("acknowledged records never read").isEmpty();
                assertThat(ledger.duplicated()).as("records read twice, with when").isEmpty();
                readers.forEach(reader -> assertThat(reader.commitErrors()).as(reader.clientId() + "'s failed commits").isEmpty());

                Records.assertExactlyOnce(acknowledged, readFrom(running, "primary", acknowledged.size()));
                Records.assertExactlyOnce(acknowledged, readFrom(running, "secondary", acknowledged.size()));
            } finally {
                for (SequencedProducer producer : producers) {
                    producer.close();
                }
                for (GroupMember reader : readers) {
                    reader.close();
                }
            }
        }
    }

    /**
     * {@code switchboard failover --to <target> --planned}, run as a user runs it, then the demo's word that
     * MirrorMaker 2 now copies the other way, which the next planned switch needs.
     */
    private void plannedSwitch(RunningGateway running, String target, String admin, ByteArrayOutputStream printed)
            throws Exception {
        String other = target.equals("primary") ? "secondary" : "primary";
        // No --token: the demo left one where the CLI on this machine looks.
        SwitchboardProcess planned = SwitchboardProcess.runInHome(home, "failover", "--to", target, "--planned", "--admin", admin);
        assertThat(planned.exit()).as(planned.toString()).isZero();
        assertThat(planned.out()).contains("switched: cluster " + target + " is active");
        assertThat(running.gateway().status().activeCluster()).isEqualTo(target);
        String turned = "MirrorMaker 2 now copies " + target + " -> " + other + " (it stopped copying " + other + " -> " + target
                + " at the switch), from the end offsets at the switch: a planned switch back to " + other
                + " carries everything written to " + target + ".";
        Await.until(() -> printed.toString(StandardCharsets.UTF_8).contains(turned), WAIT,
                "the demo to say it turned MirrorMaker 2 around to " + target + " -> " + other);
    }

    /**
     * The CLI against the demo: refusals name what is wrong and change nothing, a planned switchover prints what it
     * waits for and switches, clients carry on through the same address, and {@code failover last} shows them.
     */
    private static void failoverFromTheCommandLine(RunningGateway running, String admin, String bootstrap) throws Exception {
        String token = running.adminToken().orElseThrow();
        Cli unknown = Cli.run("failover", "--to", "nowhere", "--admin", admin, "--token", token);
        assertThat(unknown.exit()).isEqualTo(FailoverCommand.REFUSED);
        assertThat(unknown.err()).contains("unknown cluster 'nowhere'");
        Cli active = Cli.run("failover", "--to", "primary", "--admin", admin, "--token", token);
        assertThat(active.exit()).isEqualTo(FailoverCommand.REFUSED);
        assertThat(active.err()).contains("already active");
        assertThat(running.gateway().status().activeCluster()).isEqualTo("primary");

        Cli planned = Cli.run("failover", "--to", "secondary", "--planned", "--admin", admin, "--token", token);
        assertThat(planned.exit()).as(planned.out() + planned.err()).isZero();
        assertThat(planned.out()).contains("Planned switchover to secondary").contains("switched: cluster secondary is active")
                .contains("replication at the switch: 1 topics at equal end offsets on both clusters, 1 consumer groups' offsets synced");
        assertThat(running.gateway().status().activeCluster()).isEqualTo("secondary");

        Map<String, Object> producerProps = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                CommonClientConfigs.CLIENT_ID_CONFIG, "demo-producer",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(DemoCommand.DEMO_TOPIC, "after the switch")).get(60, TimeUnit.SECONDS);
        }
        Cli last = Cli.run("failover", "last", "--admin", admin, "--token", token);
        assertThat(last.exit()).as(last.err()).isZero();
        assertThat(last.out()).contains("primary -> secondary").contains("demo-producer");
    }

    /** One run of the {@code switchboard} command line, with what it printed. */
    private record Cli(int exit, String out, String err) {
        static Cli run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = SwitchboardCommand.commandLine().setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true)).execute(args);
            return new Cli(exit, out.toString(), err.toString());
        }
    }

    /** Straight from the secondary cluster, not through the gateway: what MirrorMaker 2 copied there. */
    private static List<String> readFromSecondary(RunningGateway running, int expected) {
        return readFrom(running, "secondary", expected);
    }

    /** The demo topic straight from one of the demo's clusters, not through the gateway, from the beginning. */
    private static List<String> readFrom(RunningGateway running, String cluster, int expected) {
        String bootstrap = running.gateway().config().clusters().stream().filter(c -> c.name().equals(cluster))
                .findFirst().orElseThrow().bootstrapServers();
        Map<String, Object> props = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(DemoCommand.DEMO_TOPIC).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return Records.pollValues(consumer, expected, WAIT);
        }
    }

    private DemoCommand demoOnFreePorts() {
        DemoCommand demo = new DemoCommand();
        demo.tokenFile = home.resolve(".switchboard").resolve("admin-token").toString();
        int[] ports = FreePorts.distinct(3);
        demo.bootstrapPort = ports[0];
        int firstNodePort = ports[1];
        demo.nodePorts = firstNodePort + "-" + firstNodePort;
        demo.adminPort = ports[2];
        demo.advertisedHost = "localhost";
        demo.brokers = 1;
        return demo;
    }

    @Test
    void badNodePortRangeIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SwitchboardCommand.commandLine().setErr(new PrintWriter(err, true))
                .execute("demo", "--node-ports", "9093");
        assertThat(exit).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--node-ports must be FIRST-LAST");
    }
}
