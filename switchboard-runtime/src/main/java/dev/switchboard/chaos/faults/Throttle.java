package dev.switchboard.chaos.faults;

import java.time.Duration;
import java.util.List;

import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.PartitionErrors;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * {@code throttle}: the clients in scope are throttled as by a broker quota. Their Produce and Fetch responses carry
 * {@code throttle_time_ms} of {@code time} (default 1s, at most 5 minutes), and the connection is then muted that
 * long: the client's next request on it waits until the time is up. Clients show it in their throttle metrics
 * ({@code produce-throttle-time-avg}/{@code -max}, {@code fetch-throttle-time-avg}/{@code -max}) and slow down; no
 * record is lost. Param {@code apis}: {@code Produce}, {@code Fetch} or both (default both).
 *
 * <p>Why the response goes at once and the connection is muted after it, rather than the response being held: that is
 * what a broker has done since KIP-219 (Kafka 2.0), for every version. It sends the throttled response immediately
 * with the throttle time set and stops reading the connection for that time. From Produce v6 and Fetch v8 the client
 * also mutes the connection itself when it reads the throttle time, so both wait out the same time together. An
 * older client does not, and the broker's mute is what slows it, by holding its next request. A hold on the
 * response would make a new client wait twice, first for the response and then for its own mute.
 *
 * <p>Unlike a broker, which sends a throttled Fetch back empty and serves its records on a later, unthrottled fetch,
 * the records come with the throttle here: the rule throttles every fetch in scope, so with empty responses a consumer
 * would never get a record.
 */
public final class Throttle implements Fault {

    public static final FaultType TYPE = new FaultType("throttle",
            "Produce and/or Fetch responses carry throttle_time_ms and the connection is muted that long, as by a broker quota",
            Throttle::parse);

    static final Duration DEFAULT_TIME = Duration.ofSeconds(1);
    private static final List<ApiKeys> THROTTLED = List.of(ApiKeys.PRODUCE, ApiKeys.FETCH);

    private final Duration time;
    private final Interest interest;

    Throttle(Duration time, List<ApiKeys> apis) {
        this.time = time;
        // Every request: a muted connection holds whatever the client sends next.
        this.interest = Interest.allRequests().andResponses(apis.toArray(ApiKeys[]::new));
    }

    static Throttle parse(Params params) {
        Duration time = params.duration("time", DEFAULT_TIME);
        if (time.isZero() || time.compareTo(DelayRange.MAX) > 0) {
            throw params.invalid("time", "must be longer than zero and at most " + DelayRange.MAX.toMinutes() + " minutes, was "
                    + time.toMillis() + "ms");
        }
        List<ApiKeys> apis = params.apis("apis");
        for (ApiKeys api : apis) {
            if (!THROTTLED.contains(api)) {
                throw params.invalid("apis", api.name + " is not throttled by a broker quota here; use Produce, Fetch or both");
            }
        }
        return new Throttle(time, apis.isEmpty() ? THROTTLED : apis);
    }

    @Override
    public Interest interest() {
        return interest;
    }

    @Override
    public RequestAction onRequest(InterceptedRequest request, FaultContext context) {
        long mutedNanos = context.connectionState(Mute::new).remainingNanos();
        return mutedNanos > 0 ? RequestAction.delay(Duration.ofNanos(mutedNanos), RequestAction.forward()) : RequestAction.forward();
    }

    @Override
    public ResponseAction onResponse(InterceptedResponse response, FaultContext context) {
        if (!context.groupInScope((String) null) || !anyTopicInScope(response, context) || !context.hit()) {
            return ResponseAction.forward();
        }
        int millis = (int) time.toMillis();
        if (response.message() instanceof ProduceResponseData produce) {
            produce.setThrottleTimeMs(Math.max(produce.throttleTimeMs(), millis));
        } else if (response.message() instanceof FetchResponseData fetch) {
            fetch.setThrottleTimeMs(Math.max(fetch.throttleTimeMs(), millis));
        }
        context.connectionState(Mute::new).until(System.nanoTime() + time.toNanos());
        return ResponseAction.forwardModified();
    }

    private static boolean anyTopicInScope(InterceptedResponse response, FaultContext context) {
        if (context.topicInScope(null)) {
            return true;
        }
        if (response.message() instanceof FetchResponseData fetch) {
            return !PartitionErrors.inScope(fetch, context).isEmpty();
        }
        for (ProduceResponseData.TopicProduceResponse topic : ((ProduceResponseData) response.message()).responses()) {
            if (context.topicInScope(topic.name(), topic.topicId())) {
                return true;
            }
        }
        return false;
    }

    /** Until when a connection is muted, on the monotonic clock; confined to the connection's event loop. */
    private static final class Mute {

        private long untilNanos = System.nanoTime();

        void until(long nanos) {
            untilNanos = Math.max(untilNanos, nanos);
        }

        long remainingNanos() {
            return untilNanos - System.nanoTime();
        }
    }
}
