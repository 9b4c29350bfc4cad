package dev.switchboard.chaos.faults;

import java.util.List;

import dev.switchboard.chaos.FaultType;

/** Every fault type a rule can name, in the order the reference lists them. Adding one is its class and a line here. */
public final class FaultTypes {

    public static final List<FaultType> ALL = List.of(BrokenBroker.TYPE, LeaderElection.TYPE, Latency.TYPE, SlowBroker.TYPE,
            SlowBroker.FOR_TOPICS, InvalidSchemaId.TYPE, Corruption.TYPE, Duplicates.TYPE, Outage.TYPE,
            TransactionErrors.TYPE, Rebalance.TYPE, AuthorizationFailure.TYPE, Throttle.TYPE);

    private FaultTypes() {
    }
}
