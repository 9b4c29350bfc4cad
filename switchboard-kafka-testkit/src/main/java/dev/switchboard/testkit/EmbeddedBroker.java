package dev.switchboard.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Kafka node: its properties, its storage, and the running server when started. */
final class EmbeddedBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final String clusterName;
    private final int nodeId;
    private final String clusterId;
    private final Properties props;
    private final Path dir;
    private KafkaRaftServer server;

    EmbeddedBroker(String clusterName, int nodeId, String clusterId, Properties props, Path dir) {
        this.clusterName = clusterName;
        this.nodeId = nodeId;
        this.clusterId = clusterId;
        this.props = props;
        this.dir = dir;
    }

    /** The host:port this node advertises for {@code listener}. */
    String address(String listener) {
        return listenerAddress("advertised.listeners", listener);
    }

    /** The host:port this node binds for {@code listener}, which differs from the advertised one behind a relay. */
    String boundAddress(String listener) {
        return listenerAddress("listeners", listener);
    }

    private String listenerAddress(String property, String listener) {
        for (String entry : props.getProperty(property).split(",")) {
            if (entry.startsWith(listener + "://")) {
                return entry.substring(listener.length() + 3);
            }
        }
        throw new IllegalArgumentException("node " + nodeId + " of " + clusterName + " has no listener " + listener);
    }

    synchronized boolean isRunning() {
        return server != null;
    }

    /** Formats this node's log directories with Kafka's own StorageTool, adding {@code extraArguments}. */
    void format(List<String> extraArguments) {
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                props.store(out, "node " + nodeId + " of " + clusterName);
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> arguments = new ArrayList<>(List.of("format", "-t", clusterId, "-c", config.toString(),
                    "--ignore-formatted"));
            arguments.addAll(extraArguments);
            int exit = StorageTool.execute(arguments.toArray(String[]::new),
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (exit != 0) {
                throw new IllegalStateException("StorageTool format failed for node " + nodeId + " of " + clusterName
                        + ": " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare storage for node " + nodeId + " of " + clusterName, e);
        }
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        started.startup();
        server = started;
        LOG.info("Started node {} of cluster {} at {}", nodeId, clusterName, props.getProperty("advertised.listeners"));
    }

    synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Node {} of cluster {} did not shut down cleanly: {}", nodeId, clusterName, e.toString());
        } finally {
            server = null;
        }
        LOG.info("Stopped node {} of cluster {}", nodeId, clusterName);
    }
}
