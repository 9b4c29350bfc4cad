package dev.switchboard.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.switchboard.bench.BenchOptions;
import dev.switchboard.bench.GatewayBenchmark;
import dev.switchboard.bench.RelayBenchmark;
import dev.switchboard.bench.RelayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard bench}: the gateway against direct Kafka, side by side, on embedded brokers. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchFailoverCommand.class, BenchRelayCommand.class},
        description = {"Measure what the gateway costs against direct Kafka, on embedded brokers (1 broker, and 3 with "
                + "replication factor 3), with Apache Kafka's own perf tools, alternating direct and gateway runs; then the "
                + "gateway's CPU per GB relayed beside HAProxy's, as 'bench relay' measures it.",
                "Prints Markdown tables to stdout and progress to stderr. Exit code 0 when every goal is met, 3 otherwise."})
final class BenchCommand implements Callable<Integer> {

    static final int GOALS_MISSED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", description = "A/B rounds per figure (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int rounds;

    @Option(names = "--records", description = "Records per producer/consumer run (default: ${DEFAULT-VALUE}).", defaultValue = "300000")
    long records;

    @Option(names = "--record-size", description = "Bytes per record (default: ${DEFAULT-VALUE}).", defaultValue = "1024")
    int recordSize;

    @Option(names = "--latency-seconds", description = "Length of each latency run (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int latencySeconds;

    @Option(names = "--idle-connections", description = "Silent connections for the idle measurement (default: ${DEFAULT-VALUE}).",
            defaultValue = "10000")
    int idleConnections;

    @Option(names = "--handshake-connections", defaultValue = "9000",
            description = "Connections that complete ApiVersions first, each with an upstream socket too (default: ${DEFAULT-VALUE}).")
    int handshakeConnections;

    @Option(names = "--brokers", split = ",", description = "Cluster shapes by broker count (default: 1,3).", defaultValue = "1,3")
    List<Integer> brokers;

    @Option(names = "--profile", paramLabel = "DIR",
            description = "Record a JFR profile of each gateway process into DIR (inspect with 'jfr print' or JMC).")
    Path profile;

    @Option(names = "--relay-rounds", defaultValue = BenchRelayCommand.DEFAULT_ROUNDS,
            description = "Rounds of the relay part, which uses --records and --record-size too (default: ${DEFAULT-VALUE}).")
    int relayRounds;

    @Override
    public Integer call() throws IOException {
        BenchOptions options = new BenchOptions(rounds, records, recordSize, latencySeconds, idleConnections,
                handshakeConnections, brokers);
        RelayOptions relay = new RelayOptions(relayRounds, records, recordSize);
        if (profile != null) {
            Files.createDirectories(profile);
        }
        boolean goalsMet = new GatewayBenchmark(options, spec.commandLine().getOut(), System.err, profile).run();
        goalsMet &= new RelayBenchmark(relay, spec.commandLine().getOut(), System.err).run();
        return verdict(spec, goalsMet);
    }

    /** Prints whether every goal held and returns the exit code that says it. */
    static int verdict(CommandSpec spec, boolean goalsMet) {
        spec.commandLine().getOut().println(goalsMet ? "All goals met." : "Some goals were missed; see the tables above.");
        spec.commandLine().getOut().flush();
        return goalsMet ? 0 : GOALS_MISSED;
    }
}
