package dev.switchboard.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.switchboard.bench.ChaosRuleArguments;
import dev.switchboard.bench.RelayBenchmark;
import dev.switchboard.bench.RelayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard bench relay}: the gateway's CPU per GB relayed, beside HAProxy's in TCP mode. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = {"Measure the gateway's CPU seconds per GB relayed, producing and consuming, beside HAProxy in TCP mode"
                + " relaying the same load to the same embedded broker, with throughput direct, through the gateway and through"
                + " HAProxy (about 3½ minutes). Without haproxy installed (apt-get install -y haproxy) the HAProxy column is left out.",
                "Prints Markdown tables to stdout and progress to stderr. Exit code 0 when the goal is met or could not be"
                        + " checked, 3 when it is missed."})
final class BenchRelayCommand implements Callable<Integer> {

    static final String DEFAULT_ROUNDS = "5";

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", defaultValue = DEFAULT_ROUNDS,
            description = "Rounds after the warm-up; the order of direct, gateway and HAProxy rotates each round "
                    + "(default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--records", description = "Records per producer/consumer run (default: ${DEFAULT-VALUE}).", defaultValue = "300000")
    long records;

    @Option(names = "--record-size", description = "Bytes per record (default: ${DEFAULT-VALUE}).", defaultValue = "1024")
    int recordSize;

    @Option(names = "--strict-requests", description = "Run the gateway with listener.strictRequests, which parses every "
            + "request body, to measure what that costs.")
    boolean strictRequests;

    @Option(names = "--rewritten-producer-ids", description = "Run the gateway as after a switch, rewriting the producer"
            + " id of every idempotent batch and checksumming its header again, to measure what virtual producer ids"
            + " cost then.")
    boolean rewrittenProducerIds;

    @Option(names = "--chaos-rule", paramLabel = "FILE_OR_JSON", description = "A chaos rule the gateway runs with from its"
            + " start, to measure what rules in force cost: a rule as JSON, or a JSON/YAML file with one rule or a 'rules:'"
            + " list, in the shape POST /api/v1/chaos/rules takes. Repeat for more. The benchmark's topics are named"
            + " relay-gateway-*, so {\"scope\": {\"topic\": \"relay-.*\"}} matches them. The report shows what each"
            + " rule matched and affected.")
    List<String> chaosRules = new ArrayList<>();

    @Override
    public Integer call() {
        RelayOptions options = new RelayOptions(rounds, records, recordSize, strictRequests, ChaosRuleArguments.parse(chaosRules),
                rewrittenProducerIds);
        return BenchCommand.verdict(spec, new RelayBenchmark(options, spec.commandLine().getOut(), System.err).run());
    }
}
