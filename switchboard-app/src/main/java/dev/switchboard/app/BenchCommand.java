package dev.switchboard.app;

import java.util.List;
import java.util.concurrent.Callable;

import dev.switchboard.bench.BenchOptions;
import dev.switchboard.bench.GatewayBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchboard bench}: the gateway against direct Kafka, side by side, on embedded brokers. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchFailoverCommand.class,
        description = {"Measure what the gateway costs against direct Kafka, on embedded brokers (1 broker, and 3 with "
                + "replication factor 3), with Apache Kafka's own perf tools, alternating direct and gateway runs.",
                "Prints Markdown tables to stdout and progress to stderr. Exit code 0 when every goal is met, 3 otherwise."})
final class BenchCommand implements Callable<Integer> {

    static final int GOALS_MISSED = 3;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
    java.nio.file.Path profile;

    @Override
    public Integer call() throws java.io.IOException {
        BenchOptions options = new BenchOptions(rounds, records, recordSize, latencySeconds, idleConnections,
                handshakeConnections, brokers);
        if (profile != null) {
            java.nio.file.Files.createDirectories(profile);
        }
        return new GatewayBenchmark(options, spec.commandLine().getOut(), System.err, profile).run() ? 0 : GOALS_MISSED;
    }
}
