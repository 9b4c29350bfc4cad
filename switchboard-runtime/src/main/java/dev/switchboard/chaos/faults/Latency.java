package dev.switchboard.chaos.faults;

import java.time.Duration;
import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * {@code latency}: every request of the listed APIs ({@code apis}, default all) waits {@code delay} (default 100ms)
 * before it goes on, so its response comes at least that much later. The wait holds the connection's later requests
 * too, as a slow broker holds a connection's pipeline.
 */
public final class Latency implements Fault {

    public static final FaultType TYPE = new FaultType("latency", "A fixed delay on responses, for all APIs or the listed ones",
            Latency::parse);

    static final Duration DEFAULT_DELAY = Duration.ofMillis(100);

    private final Interest interest;
    private final DelayRange delay;

    Latency(Interest interest, DelayRange delay) {
        this.interest = interest;
        this.delay = delay;
    }

    static Latency parse(Params params) {
        Duration delay = params.duration("delay", DEFAULT_DELAY);
        if (delay.compareTo(DelayRange.MAX) > 0) {
            throw params.invalid("delay", "must be at most " + DelayRange.MAX.toMinutes() + " minutes");
        }
        List<ApiKeys> apis = params.apis("apis");
        Interest interest = apis.isEmpty() ? Interest.allRequests() : Interest.requests(apis.toArray(ApiKeys[]::new));
        return new Latency(interest, new DelayRange(delay, delay));
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        return delay.apply(request, context);
    }
}
