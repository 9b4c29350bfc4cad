package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.alert.Alerts;
import dev.switchboard.config.AutoFailoverConfig;
import dev.switchboard.failover.recovery.SwitchDecision;
import dev.switchboard.health.Health;
import dev.switchboard.health.Verdict;
import dev.switchboard.support.Await;
import dev.switchboard.support.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The arbitration of {@link AutoFailover} without brokers: three instances see the same outage and propose at once,
 * and the standby's log, played here in one order to every instance, decides which one fails over. Steps are held
 * back until the test releases them, so each test chooses what the log holds first.
 */
class AutoFailoverArbitrationTest {

    private static final Duration VETO_WINDOW = Duration.ofSeconds(60);
    private static final String STANDBY = "secondary";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final AtomicLong epoch = new AtomicLong(3);
    /** What the instances wrote, not yet in the standby's log. */
    private final List<AutoFailoverEvent> written = new CopyOnWriteArrayList<>();
    private final Map<String, List<SwitchDecision>> failovers = new ConcurrentHashMap<>();
    private final List<AutoFailover> instances = new ArrayList<>();

    private AutoFailover instance(String id) {
        AutoFailover instance = new AutoFailover(new AutoFailoverConfig(true, STANDBY, "10s", "60s"),
                (key, step) -> written.add((AutoFailoverEvent) step), epoch::get, () -> "primary",
                (target, decision) -> {
                    failovers.computeIfAbsent(id, i -> new CopyOnWriteArrayList<>()).add(decision);
                    return null;
                }, Alerts.NONE, id, clock);
        instances.add(instance);
        return instance;
    }

    /** Appends what was written to the standby's log, in this order, and plays it to every instance. */
    private void logHolds(List<AutoFailoverEvent> order) {
        written.removeAll(order);
        for (AutoFailoverEvent step : order) {
            instances.forEach(instance -> instance.event(STANDBY, step));
        }
    }

    @AfterEach
    void closeInstances() {
        instances.forEach(AutoFailover::close);
    }

    private Verdict down(Instant since) {
        return new Verdict("primary", Health.DOWN, since, clock.instant(), List.of(), 0, null, null);
    }

    @Test
    void ofProposalsMadeAtOnceTheFirstInTheLogWinsAndOnlyItsProposerFailsOver() {
        AutoFailover a = instance("a");
        AutoFailover b = instance("b");
        AutoFailover c = instance("c");
        Instant since = clock.instant();
        clock.advance(Duration.ofSeconds(11));
        List.of(a, b, c).forEach(instance -> instance.verdict(down(since)));
        assertThat(written).as("one proposal from each instance").hasSize(3)
                .allMatch(step -> step.kind() == AutoFailoverEvent.Kind.PROPOSED && step.round() == 1 && step.epoch() == 3);
        AutoFailoverEvent fromB = written.stream().filter(step -> step.by().equals("b")).findFirst().orElseThrow();
        List<AutoFailoverEvent> order = new ArrayList<>(written);
        order.remove(fromB);
        order.add(0, fromB);
        logHolds(order);
        assertThat(List.of(a, b, c)).allSatisfy(instance -> assertThat(instance.state())
                .isEqualTo(new AutoFailoverState.Armed(fromB, instance == b)));

        // Checks go on while the window runs: nobody proposes again.
        clock.advance(Duration.ofSeconds(5));
        List.of(a, b, c).forEach(instance -> instance.verdict(down(since)));
        assertThat(written).isEmpty();

        // The window closes; b's first check after it decides (its timer runs on real time, a minute away).
        clock.advance(VETO_WINDOW);
        List.of(a, b, c).forEach(instance -> instance.verdict(down(since)));
        assertThat(written).singleElement().satisfies(step -> {
            assertThat(step.kind()).isEqualTo(AutoFailoverEvent.Kind.DECIDED);
            assertThat(step.by()).isEqualTo("b");
        });
        logHolds(List.copyOf(written));
        Await.until(() -> failovers.containsKey("b"), Duration.ofSeconds(10), "b's failover");
        assertThat(failovers).containsOnlyKeys("b");
        SwitchDecision decision = failovers.get("b").get(0);
        assertThat(decision.decidedBy()).isEqualTo("auto-failover on instance b");
        assertThat(decision.detectedAt()).isEqualTo(since);
        assertThat(decision.vetoWindowMillis()).isEqualTo(VETO_WINDOW.toMillis());
        assertThat(List.of(a, b, c)).allSatisfy(instance -> assertThat(instance.state()).isInstanceOf(AutoFailoverState.Decided.class));
    }

    @Test
    void aVetoTheLogHoldsBeforeTheDecisionStopsItAndOneAfterItIsTooLate() throws Exception {
        AutoFailover a = instance("a");
        AutoFailover b = instance("b");
        Instant since = clock.instant();
        clock.advance(Duration.ofSeconds(11));
        a.verdict(down(since));
        logHolds(List.copyOf(written));
        assertThat(b.state()).isInstanceOf(AutoFailoverState.Armed.class);

        CompletableFuture<AutoFailover.VetoOutcome> veto = CompletableFuture.supplyAsync(() -> b.veto("alice"));
        Await.until(() -> written.size() == 1, Duration.ofSeconds(10), "the veto to be written");
        logHolds(List.copyOf(written));
        assertThat(veto.get(10, TimeUnit.SECONDS).result()).isEqualTo("vetoed");
        assertThat(List.of(a, b)).allSatisfy(instance -> assertThat(instance.state()).isInstanceOf(AutoFailoverState.Vetoed.class));

        // Still down, in the same outage: not proposed again. Down again after being up: a new round.
        clock.advance(Duration.ofMinutes(2));
        a.verdict(down(since));
        assertThat(written).isEmpty();
        a.verdict(new Verdict("primary", Health.HEALTHY, clock.instant(), clock.instant(), List.of(), 0, null, null));
        Instant again = clock.instant().plusSeconds(1);
        clock.advance(Duration.ofSeconds(12));
        a.verdict(down(again));
        assertThat(written).singleElement().satisfies(step -> assertThat(step.round()).isEqualTo(2));
        AutoFailoverEvent round2 = written.get(0);
        logHolds(List.of(round2));

        // The decision reaches the log first; a veto written meanwhile comes after it.
        AutoFailoverEvent decided = new AutoFailoverEvent(AutoFailoverEvent.Kind.DECIDED, round2.epoch(), 2, round2.from(),
                round2.to(), "a", clock.instant(), round2.detectedAt(), round2.decideAt(), null, "decided-first");
        CompletableFuture<AutoFailover.VetoOutcome> late = CompletableFuture.supplyAsync(() -> b.veto("bob"));
        Await.until(() -> written.size() == 1, Duration.ofSeconds(10), "the late veto to be written");
        logHolds(List.of(decided, written.get(0)));
        assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(SwitchRefused.class)
                .hasMessageContaining("too late");
        Await.until(() -> failovers.containsKey("a"), Duration.ofSeconds(10), "a's failover");
        assertThat(failovers).containsOnlyKeys("a");
    }

    @Test
    void aRoundIsMootOnceTheEpochMoves() {
        AutoFailover a = instance("a");
        Instant since = clock.instant();
        clock.advance(Duration.ofSeconds(11));
        a.verdict(down(since));
        logHolds(List.copyOf(written));
        epoch.incrementAndGet(); // an operator failed over meanwhile
        assertThat(a.state()).isInstanceOf(AutoFailoverState.Watching.class);
        assertThatThrownBy(() -> a.veto("carol")).isInstanceOf(SwitchRefused.class).hasMessageContaining("nothing to veto");
    }
}
