package dev.switchboard.testkit;

import java.nio.file.Path;
import java.util.Properties;

/** The broker settings an in-process node needs: small, fast to start, and honest about replication. */
final class BrokerProperties {

    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private BrokerProperties() {
    }

    static Properties forNode(int nodeId, boolean controller, int controllerId, int controllerPort, int brokerPort,
                              int clusterSize, Path logDir) {
        Properties props = new Properties();
        props.put("node.id", String.valueOf(nodeId));
        props.put("process.roles", controller ? "broker,controller" : "broker");
        props.put("controller.quorum.voters", controllerId + "@localhost:" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", BROKER_LISTENER + "://localhost:" + brokerPort
                + (controller ? "," + CONTROLLER_LISTENER + "://localhost:" + controllerPort : ""));
        props.put("advertised.listeners", BROKER_LISTENER + "://localhost:" + brokerPort);
        props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("log.dirs", logDir.resolve("data").toString());
        props.put("metadata.log.dir", logDir.resolve("metadata").toString());

        String internalReplication = String.valueOf(Math.min(3, clusterSize));
        props.put("offsets.topic.replication.factor", internalReplication);
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", internalReplication);
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", internalReplication);
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");

        // Without this each broker reserves 128 MiB of heap for the log cleaner.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("log.cleaner.threads", "1");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("num.replica.fetchers", "1");
        props.put("background.threads", "2");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        return props;
    }

    /** Adds a listener that binds {@code boundAddress} and advertises {@code advertisedAddress} (host:port each). */
    static void addListener(Properties props, String name, String protocol, String boundAddress, String advertisedAddress) {
        props.put("listeners", props.getProperty("listeners") + "," + name + "://" + boundAddress);
        props.put("advertised.listeners", props.getProperty("advertised.listeners") + "," + name + "://" + advertisedAddress);
        props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map") + "," + name + ":" + protocol);
    }
}
