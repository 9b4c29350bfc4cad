package dev.switchboard.app;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import dev.switchboard.admin.AdminServer;
import dev.switchboard.config.GatewayConfig;
import dev.switchboard.gateway.Gateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway and its admin API, plus anything else started for it (the demo's clusters), stopped in reverse
 * order on close or Ctrl-C.
 */
final class RunningGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunningGateway.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Gateway gateway;
    private AdminServer admin;

    /** Something to stop after the gateway, e.g. an embedded cluster. */
    void own(AutoCloseable resource) {
        started.push(resource);
    }

    RunningGateway start(GatewayConfig config) {
        gateway = Gateway.start(config);
        started.push(gateway);
        admin = AdminServer.start(gateway, config.admin());
        started.push(admin);
        return this;
    }

    Gateway gateway() {
        return gateway;
    }

    int adminPort() {
        return admin.port();
    }

    /** The admin token kept for the CLI on this machine, when the config keeps one. */
    Optional<String> adminToken() {
        return admin.localToken();
    }

    /** Blocks until Ctrl-C (SIGINT/SIGTERM), then stops everything. */
    void awaitShutdown() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        stopped.await();
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable resource = started.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", resource, e.toString());
            }
        }
    }
}
