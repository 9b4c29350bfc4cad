package dev.switchboard.chaos.faults;

import java.time.Duration;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;

/**
 * {@code slow-producers-consumers}: like {@code slow-broker}, but only the produce and fetch requests that name a topic of
 * the rule's {@code scope.topic}, which it requires: one team's topics slow down while the rest of the broker does not.
 */
public final class SlowProducersConsumers implements Fault {

    public static final FaultType TYPE = new FaultType("slow-producers-consumers",
            "A random delay between min and max on Produce and Fetch of chosen topics (scope.topic)", true,
            SlowProducersConsumers::parse);

    private final DelayRange delay;

    SlowProducersConsumers(DelayRange delay) {
        this.delay = delay;
    }

    static SlowProducersConsumers parse(Params params) {
        return new SlowProducersConsumers(DelayRange.parse(params, Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    @Override
    public Interest interest() {
        return SlowBroker.PRODUCE_AND_FETCH;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        return delay.apply(request, context);
    }
}
