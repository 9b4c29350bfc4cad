package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

import dev.switchboard.intercept.RequestAction;
import org.junit.jupiter.api.Test;

class ProduceHoldTest {

    private final Clock clock = Clock.systemUTC();
    private final ProduceHold hold = new ProduceHold(clock);

    @Test
    void withNoHoldProduceRequestsAreOfNoInterest() {
        assertThat(hold.holding()).isFalse();
        assertThat(hold.interest().requestKeys()).isEmpty();
    }

    @Test
    void aHeldRequestGoesOnWhenTheHoldIsReleased() {
        hold.hold(clock.instant().plus(Duration.ofMinutes(5)));
        CompletionStage<RequestAction> waiting = waitingStage();

        assertThat(waiting.toCompletableFuture()).isNotDone();
        hold.release();
        assertThat(waiting.toCompletableFuture()).isCompletedWithValue(RequestAction.forward());
        assertThat(hold.holding()).isFalse();
    }

    @Test
    void aHoldAfterAnEndedOneHoldsAgain() {
        hold.hold(clock.instant().plus(Duration.ofMinutes(5)));
        hold.release();
        hold.hold(clock.instant().plus(Duration.ofMinutes(5)));

        assertThat(hold.holding()).isTrue();
        assertThat(waitingStage().toCompletableFuture()).as("a new hold must not reuse the ended one's signal").isNotDone();
        hold.release();
    }

    @Test
    void extendingAHoldKeepsWhatWaitsOnIt() {
        hold.hold(clock.instant().plus(Duration.ofMinutes(1)));
        CompletionStage<RequestAction> waiting = waitingStage();
        hold.hold(clock.instant().plus(Duration.ofMinutes(5)));

        assertThat(waiting.toCompletableFuture()).isNotDone();
        hold.release();
        assertThat(waiting.toCompletableFuture()).isDone();
    }

    @Test
    void aHoldWhoseDeadlinePassedForwardsAtOnce() {
        hold.hold(Instant.now().minusSeconds(1));

        assertThat(hold.holding()).isFalse();
        assertThat(hold.onRequest(null, null)).isEqualTo(RequestAction.forward());
    }

    private CompletionStage<RequestAction> waitingStage() {
        RequestAction action = hold.onRequest(null, null);
        assertThat(action).isInstanceOf(RequestAction.Later.class);
        return ((RequestAction.Later) action).action();
    }
}
