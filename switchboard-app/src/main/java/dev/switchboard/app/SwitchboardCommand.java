package dev.switchboard.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code switchboard} command line. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A Kafka-protocol gateway: one stable endpoint in front of your Kafka clusters.",
        subcommands = {ServeCommand.class, DemoCommand.class, FailoverCommand.class, ChaosCommand.class, UsersCommand.class, TokensCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class SwitchboardCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine commandLine = commandLine();
        int exitCode = commandLine.execute(args);
        // A verb that prints without a line end would otherwise exit with its output still in the writer's buffer.
        commandLine.getOut().flush();
        commandLine.getErr().flush();
        System.exit(exitCode);
    }

    static CommandLine commandLine() {
        return new CommandLine(new SwitchboardCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                // Start-up failures (a port in use, an unreachable file) are sentences for operators, not traces.
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                    return 1;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
