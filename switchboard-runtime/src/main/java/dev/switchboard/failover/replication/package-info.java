/**
 * Replication state for failover: how far MirrorMaker 2's copy of the source on the target is behind.
 *
 * <p>{@link dev.switchboard.failover.replication.ReplicationMonitor} only reads. In the background it samples
 * each replicated topic's end offsets on both clusters, and keeps the last values it read after the source dies:
 * the {@link dev.switchboard.failover.replication.LagSample} an unplanned failover reports as the records that
 * may be lost. On demand it checks whether a planned switchover may go ahead
 * ({@link dev.switchboard.failover.replication.CatchUp}): equal end offsets everywhere and every consumer group's
 * committed offsets carried over by MirrorMaker 2's checkpoints. Which topics count is
 * {@link dev.switchboard.failover.replication.ReplicatedTopicFilter}'s call. Before a planned switch holds anything,
 * {@link dev.switchboard.failover.replication.ReplicationFlowCheck} tells whether there is a flow into the target at all.
 */
package dev.switchboard.failover.replication;
