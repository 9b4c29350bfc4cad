package dev.switchboard.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.config.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard serve --config gateway.yaml}: runs a gateway until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the gateway described by a YAML config file until interrupted.")
final class ServeCommand implements Callable<Integer> {

    static final int CONFIG_ERROR = 2;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Gateway config (YAML).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GatewayConfig gatewayConfig;
        try {
            gatewayConfig = ConfigLoader.load(config);
        } catch (InvalidConfigException e) {
            spec.commandLine().getErr().println("Invalid configuration: " + e.getMessage());
            return CONFIG_ERROR;
        }
        // Chaos rules are checked against the fault types only as the gateway starts; a bad one is still the config's.
        try (RunningGateway running = start(gatewayConfig)) {
            running.awaitShutdown();
        } catch (InvalidRule e) {
            spec.commandLine().getErr().println("Invalid configuration: " + config + ": " + e.getMessage());
            return CONFIG_ERROR;
        }
        return 0;
    }

    static RunningGateway start(GatewayConfig config) {
        return new RunningGateway().start(config);
    }
}
