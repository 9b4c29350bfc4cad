package dev.switchboard.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.switchboard.config.AdminAuthConfig;
import dev.switchboard.config.AdminConfig;
import dev.switchboard.config.ClientSaslConfig;
import dev.switchboard.config.ClusterConfig;
import dev.switchboard.config.FailoverConfig;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.ListenerConfig;
import dev.switchboard.config.PortRange;
import dev.switchboard.config.SecurityConfig;
import dev.switchboard.config.UserConfig;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchboard demo}: two real Kafka clusters in this process, {@code primary} and {@code secondary},
 * MirrorMaker 2 replicating the first into the second, and a gateway in front of {@code primary}. After each switch
 * the gateway makes, replication turns around ({@link DemoReplication}), so a planned failback loses nothing.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start two embedded Kafka clusters, MirrorMaker 2 from 'primary' to 'secondary', and a gateway"
                + " in front of 'primary'. After each switch, MirrorMaker 2 turns around. Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {

    static final String DEMO_TOPIC = "demo";
    static final String DEMO_USER = "demo";

    /** New each run and printed: even a demo's credential is not one that works everywhere. */
    private final String demoPassword = randomSecret();

    @Option(names = "--bootstrap-port", defaultValue = "9092", description = "Gateway bootstrap port (default: ${DEFAULT-VALUE}).")
    int bootstrapPort;

    @Option(names = "--node-ports", defaultValue = "9093-9192", paramLabel = "FIRST-LAST",
            description = "Range for per-node ports (default: ${DEFAULT-VALUE}).")
    String nodePorts;

    @Option(names = "--admin-port", defaultValue = "8080", description = "Admin API port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--host", defaultValue = "localhost", description = "Host name clients use (default: ${DEFAULT-VALUE}).")
    String advertisedHost;

    @Option(names = "--brokers", defaultValue = "1", description = "Brokers per cluster (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Where the admin API token is kept for the CLI on this"
            + " machine, which looks there by default (default: ${DEFAULT-VALUE}).")
    String tokenFile = AdminAuthConfig.DEFAULT_TOKEN_FILE;

    @Option(names = "--strict-requests", description = "Parse every request body at the gateway (listener.strictRequests);"
            + " a client sending one that does not parse is disconnected before any broker sees it.")
    boolean strictRequests;

    @Override
    public Integer call() throws Exception {
        try (RunningGateway running = start(System.out)) {
            running.awaitShutdown();
        }
        return 0;
    }

    RunningGateway start(PrintStream out) {
        PortRange range = parseRange(nodePorts);
        RunningGateway running = new RunningGateway();
        try {
            out.println("Starting two embedded Kafka clusters...");
            EmbeddedKafkaCluster primary = EmbeddedKafkaCluster.builder("primary").brokers(brokers).start();
            running.own(primary);
            EmbeddedKafkaCluster secondary = EmbeddedKafkaCluster.builder("secondary").brokers(brokers).start();
            running.own(secondary);
            primary.createTopic(DEMO_TOPIC, 3, Math.min(brokers, 3));
            // Owned before the gateway starts, so it stops after the gateway and before the clusters.
            DemoReplication replication = DemoReplication.start(primary, secondary, out);
            running.own(replication);
            GatewayConfig config = new GatewayConfig(
                    new ListenerConfig("127.0.0.1", advertisedHost, bootstrapPort, range, 0).withStrictRequests(strictRequests),
                    new AdminConfig("127.0.0.1", adminPort, new AdminAuthConfig(null, null, tokenFile)),
                    List.of(new ClusterConfig("primary", primary.bootstrapServers(), Map.of()),
                            new ClusterConfig("secondary", secondary.bootstrapServers(), Map.of())),
                    "primary",
                    new FailoverConfig(null, List.of("console-*"), auditLog().toString(), null, null))
                    .withSecurity(new SecurityConfig(new ClientSaslConfig(List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), null, true),
                            List.of(new UserConfig(DEMO_USER, demoPassword, null))));
            running.start(config);
            running.gateway().onSwitched(replication::switched);
            replication.awaitRunning();
            printWelcome(out, primary, secondary, running.adminPort(), running.adminToken().orElseThrow());
            return running;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    private void printWelcome(PrintStream out, EmbeddedKafkaCluster primary, EmbeddedKafkaCluster secondary, int admin,
                              String token) {
        String bootstrap = advertisedHost + ":" + bootstrapPort;
        out.printf("""

                Switchboard demo is running.

                  Kafka bootstrap (through the gateway):  %1$s
                  Active cluster:                         primary   (%2$s, id %3$s)
                  Standby cluster:                        secondary (%4$s, id %5$s)
                  Replication:                            MirrorMaker 2 is copying primary -> secondary (topics, group offsets);
                                                          after a switch, the other way
                  Topic ready to use:                     %6$s

                Try it (clients only ever see %1$s and the gateway's node ports):
                  kcat -b %1$s -L
                  echo "hello through the gateway" | kcat -b %1$s -t %6$s -P
                  kcat -b %1$s -t %6$s -C -o beginning -e
                  kafka-console-producer.sh --bootstrap-server %1$s --topic %6$s
                  kafka-console-consumer.sh --bootstrap-server %1$s --topic %6$s --from-beginning

                Authenticate (SASL ends at the gateway; the clusters never see these credentials):
                  kcat -b %1$s -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=SCRAM-SHA-512 \\
                       -X sasl.username=%9$s -X sasl.password=%10$s -L
                  ./switchboard users add alice --admin http://127.0.0.1:%7$d     (asks for her password)
                  ./switchboard users list --admin http://127.0.0.1:%7$d
                  Clients without SASL, like the ones above, are served as User:ANONYMOUS (security.sasl.anonymous).

                Admin API token (role admin), kept in %11$s, where ./switchboard on this machine finds it:
                  %12$s
                  ./switchboard tokens create --name ci --role operator --admin http://127.0.0.1:%7$d   (viewer, operator, admin)

                Watch it (/health and /metrics need no token):
                  curl -H "Authorization: Bearer $(cat %11$s)" http://127.0.0.1:%7$d/api/v1/status
                  curl http://127.0.0.1:%7$d/metrics
                  curl http://127.0.0.1:%7$d/health/ready

                Break it (only clients in a rule's scope feel it; every rule expires by itself):
                  ./switchboard chaos add --name flaky --type broken-broker --rate 10 --topic %6$s --duration 5m --admin http://127.0.0.1:%7$d
                  ./switchboard chaos add --name twice --type duplicates --topic %6$s --duration 2m --admin http://127.0.0.1:%7$d
                  ./switchboard chaos list --admin http://127.0.0.1:%7$d      (matched and affected requests per rule)
                  ./switchboard chaos reset --admin http://127.0.0.1:%7$d     (every rule gone; types: docs/chaos.md)

                Fail over and back (clients keep running; they reconnect through the same addresses):
                  ./switchboard failover --to secondary --planned --admin http://127.0.0.1:%7$d
                  ./switchboard failover --to primary --planned --admin http://127.0.0.1:%7$d     (failback)
                  ./switchboard failover last --admin http://127.0.0.1:%7$d      (who is back, and the recovery time)
                  After each switch the demo turns MirrorMaker 2 around (it says so here when done), so the next
                  planned switch, back or forth, loses and duplicates nothing. Audit log: %8$s

                Ctrl-C stops the gateway, replication and both clusters.
                """, bootstrap, primary.bootstrapServers(), primary.clusterId(), secondary.bootstrapServers(),
                secondary.clusterId(), DEMO_TOPIC, admin, auditLog(), DEMO_USER, demoPassword, tokenFile, token);
        out.flush();
    }

    static String randomSecret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The demo's audit log: in the temp directory, appended to across runs like a real one. */
    static Path auditLog() {
        return Path.of(System.getProperty("java.io.tmpdir"), "switchboard-demo-audit.jsonl");
    }

    static PortRange parseRange(String value) {
        String[] parts = value.split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--node-ports must be FIRST-LAST, e.g. 9093-9192, was '" + value + "'");
        }
        try {
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--node-ports must be two port numbers, was '" + value + "'");
        }
    }
}
