package dev.switchboard.app;

import java.util.List;
import java.util.concurrent.Callable;

import dev.switchboard.bench.FailoverBenchmark;
import dev.switchboard.bench.FailoverOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard bench failover}: how fast N applications come back after a switch, and what they lose. */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Run simulated producers and consumer-group members through an in-process gateway in front of"
                + " embedded clusters 'primary' and 'secondary' (MirrorMaker 2 between them), switch to 'secondary',"
                + " and measure how long until every application is back, and records lost and duplicated.",
                "Prints Markdown tables to stdout and progress to stderr. Exit code 0 when every goal is met, 3 otherwise."})
final class BenchFailoverCommand implements Callable<Integer> {

    enum Mode { planned, unplanned, both }

    @Spec
    CommandSpec spec;

    @Option(names = "--producers", defaultValue = "50", description = "Producer applications (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--consumers", defaultValue = "50", description = "Consumer-group members (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--groups", defaultValue = "5", description = "Consumer groups, one topic each (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--rate", defaultValue = "20", description = "Records per second per producer (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warm-up-seconds", defaultValue = "15", description = "Traffic before the switch (default: ${DEFAULT-VALUE}).")
    int warmUpSeconds;

    @Option(names = "--settle-seconds", defaultValue = "10",
            description = "Traffic after every application is back (default: ${DEFAULT-VALUE}).")
    int settleSeconds;

    @Option(names = "--mode", defaultValue = "both", description = "planned, unplanned or both (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Override
    public Integer call() throws Exception {
        List<Boolean> modes = switch (mode) {
            case planned -> List.of(true);
            case unplanned -> List.of(false);
            case both -> List.of(true, false);
        };
        FailoverOptions options = new FailoverOptions(producers, consumers, Math.min(groups, Math.min(producers, consumers)),
                rate, warmUpSeconds, settleSeconds, modes);
        return new FailoverBenchmark(options, spec.commandLine().getOut(), System.err).run() ? 0 : BenchCommand.GOALS_MISSED;
    }
}
