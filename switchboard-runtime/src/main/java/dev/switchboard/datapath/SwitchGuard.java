package dev.switchboard.datapath;

/**
 * What a cluster switch asks of each client connection. Failover implements it; the data path only asks, so it
 * knows nothing of how switches are decided.
 */
public interface SwitchGuard {

    /** A client as the fence knows it: its client id and the host it connects from. */
    record ClientKey(String clientId, String host) {
    }

    /** The guard of a gateway that never switches. */
    SwitchGuard NONE = new SwitchGuard() {
        @Override
        public boolean holdsProduce() {
            return false;
        }

        @Override
        public boolean fencesFetch(ClientKey client) {
            return false;
        }

        @Override
        public void groupJoined(ClientKey client, boolean rejoin) {
        }

        @Override
        public boolean pinsTopics() {
            return false;
        }

        @Override
        public boolean resequencesProducers() {
            return false;
        }

        @Override
        public boolean resequences(long producerId, short epoch) {
            return false;
        }

        @Override
        public void producerIdIssued(long producerId, short epoch) {
        }

        @Override
        public String pinnedElsewhere(String topic, String activeCluster) {
            return null;
        }

        @Override
        public ApplicationProgress application(String clientId, String principal) {
            return ApplicationProgress.NONE;
        }
    };

    /** Whether produce requests wait at the gateway now: a planned switchover is waiting for replication. */
    boolean holdsProduce();

    /**
     * Whether this client's fetches must not reach the cluster yet: it was a group member before the last switch
     * and has not rejoined since, so its in-memory positions are offsets of the previous cluster.
     */
    boolean fencesFetch(ClientKey client);

    /**
     * The client sent a JoinGroup or a ConsumerGroupHeartbeat. {@code rejoin} when it joins afresh (JoinGroup, or
     * member epoch 0), which means it dropped its positions and will read committed offsets.
     */
    void groupJoined(ClientKey client, boolean rejoin);

    /** Whether idempotent producers may carry ids from before a switch; until one happens, none is inspected. */
    boolean resequencesProducers();

    /**
     * Whether a batch of this producer id and epoch must be sent again under a new epoch: its id came from the
     * cluster active before the switch, not from the active one.
     */
    boolean resequences(long producerId, short epoch);

    /** The active cluster gave a producer this id and epoch (InitProducerId). */
    void producerIdIssued(long producerId, short epoch);

    /** Whether any topic is pinned to a cluster; when none is, requests are not inspected for it. */
    boolean pinsTopics();

    /** The cluster a topic is pinned to when that is not {@code activeCluster}, else null. */
    String pinnedElsewhere(String topic, String activeCluster);

    /** The progress handle of one application, resolved once per connection and client id. */
    ApplicationProgress application(String clientId, String principal);
}
