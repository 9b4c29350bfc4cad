package dev.switchboard.chaos.faults;

import java.time.Duration;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * {@code slow-broker}: produce and fetch requests wait a random time between {@code min} (default 100ms) and {@code max}
 * (default 1s) before they go on, as on a broker with a slow disk or a long GC pause.
 *
 * <p>{@code slow-producers-consumers} is the same fault for chosen topics only: its rules must name them in
 * {@code scope.topic}, so one team's topics slow down while the rest of the broker does not.
 */
public final class SlowBroker implements Fault {

    public static final FaultType TYPE = new FaultType("slow-broker", "A random delay between min and max on Produce and Fetch",
            SlowBroker::parse);
    public static final FaultType FOR_TOPICS = new FaultType("slow-producers-consumers",
            "A random delay between min and max on Produce and Fetch of chosen topics (scope.topic)", FaultType.TopicScope.REQUIRED,
            SlowBroker::parse);
    private static final Interest PRODUCE_AND_FETCH = Interest.requests(ApiKeys.PRODUCE, ApiKeys.FETCH);

    private final DelayRange delay;

    SlowBroker(DelayRange delay) {
        this.delay = delay;
    }

    static SlowBroker parse(Params params) {
        return new SlowBroker(DelayRange.parse(params, Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    @Override
    public Interest interest() {
        return PRODUCE_AND_FETCH;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        return delay.apply(request, context);
    }
}
