/**
 * Real Apache Kafka, started in-process.
 *
 * <p>{@link dev.switchboard.testkit.EmbeddedKafkaCluster} formats storage with Kafka's own StorageTool and
 * starts {@code KafkaRaftServer}s, so tests and the demo talk to the same broker code that runs in production.
 * Several independent clusters can live in one JVM. {@link dev.switchboard.testkit.SharedClusters} lets JUnit 5
 * test classes share clusters so the suite stays fast on small machines.
 *
 * <p>{@link dev.switchboard.testkit.EmbeddedMirrorMaker} runs Apache Kafka's MirrorMaker 2 between two such
 * clusters, keeping topic names, so failover tests and the demo replicate the way production does.
 *
 * <p>A cluster can serve clients over TLS, SASL (PLAIN, SCRAM) or both on a listener of its own, with key
 * material that the JDK's keytool makes at start-up. Brokers, the test kit's own admin client and MirrorMaker 2
 * keep a PLAINTEXT listener. A relayed listener binds a port of its own but advertises a TCP relay's address
 * (HAProxy, in the benchmark), so clients that come through the relay stay on it.
 */
package dev.switchboard.testkit;
