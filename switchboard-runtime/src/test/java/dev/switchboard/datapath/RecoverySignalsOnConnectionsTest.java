package dev.switchboard.datapath;

import static dev.switchboard.datapath.InMemoryGateway.request;
import static dev.switchboard.datapath.InMemoryGateway.response;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import dev.switchboard.config.RecoveryConfig;
import dev.switchboard.failover.recovery.ApplicationRecovery;
import dev.switchboard.failover.recovery.AtSwitch;
import dev.switchboard.failover.recovery.RecoverySignals;
import dev.switchboard.failover.recovery.RecoveryTracker;
import dev.switchboard.failover.recovery.Role;
import dev.switchboard.failover.recovery.RoleRecovery;
import dev.switchboard.support.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;

/**
 * The recovery signals on in-memory connections: an application is tracked once a request of it is answered and
 * counts its connections until they close, and its produce, fetch and commit responses are read for its roles.
 */
class RecoverySignalsOnConnectionsTest {

    private static final short FETCH_VERSION = 12;
    private static final short PRODUCE_VERSION = 9;
    private static final short END_TXN_VERSION = 3;

    private final ManualClock clock = new ManualClock();
    private final RecoveryTracker tracker = new RecoveryTracker(List.of(), new RecoveryConfig("1s", "1m", null), clock,
            new SimpleMeterRegistry());
    private final InMemoryGateway gateway = new InMemoryGateway(List.of(new RecoverySignals(tracker)));

    @Test
    void aClientIdIsTrackedOnlyOnceARequestOfItIsAnswered() {
        EmbeddedChannel refused = gateway.connect();
        refused.writeInbound(request("garbage-\u0001", ApiKeys.FETCH, FETCH_VERSION, 1, new FetchRequestData()));
        refused.close(); // the broker closed it: no answer came
        assertThat(tracker.size()).isZero();

        EmbeddedChannel answered = gateway.connect();
        answered.writeInbound(request("orders", ApiKeys.FETCH, FETCH_VERSION, 1, new FetchRequestData()));
        gateway.upstream(1).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, fetchAnswer(Errors.NONE)));
        assertThat(tracker.size()).isEqualTo(1);
        releaseAll(answered);
    }

    @Test
    void rolesAreLearnedFromAnswersAndEveryOneMustSucceedAgainAfterTheSwitch() {
        EmbeddedChannel before = gateway.connect();
        before.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 1, new ProduceRequestData().setAcks((short) -1)));
        gateway.upstream(0).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 1, produceAnswer(Errors.NONE)));
        before.writeInbound(request("payments", ApiKeys.END_TXN, END_TXN_VERSION, 2, new EndTxnRequestData().setCommitted(true)));
        gateway.upstream(0).writeInbound(response(ApiKeys.END_TXN, END_TXN_VERSION, 2, new EndTxnResponseData()));
        before.writeInbound(request("payments", ApiKeys.FETCH, FETCH_VERSION, 3, new FetchRequestData()));
        // The fence's answer to a consumer that has not rejoined: no partition, no session; it teaches nothing.
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 3, new FetchResponseData()));
        releaseAll(before);

        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        before.close();
        gateway.switchToStandby();
        tracker.connectionsClosed(1);
        tracker.switchCompleted();
        clock.advance(Duration.ofMillis(200));
        EmbeddedChannel after = gateway.connect();
        after.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 1, new ProduceRequestData().setAcks((short) -1)));
        gateway.upstream(1).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 1, produceAnswer(Errors.NOT_LEADER_OR_FOLLOWER)));
        after.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 2, new ProduceRequestData().setAcks((short) -1)));
        gateway.upstream(1).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 2, produceAnswer(Errors.NONE)));
        ApplicationRecovery producing = onlyApplication();
        assertThat(producing.atSwitch()).isEqualTo(AtSwitch.RUNNING);
        assertThat(producing.roles()).containsExactly(
                new RoleRecovery(Role.PRODUCER, clock.instant(), 1, "NOT_LEADER_OR_FOLLOWER"),
                new RoleRecovery(Role.TRANSACTIONAL, null, 0, null));
        assertThat(producing.reconnectedAt()).isEqualTo(clock.instant());
        assertThat(producing.back()).isFalse();

        clock.advance(Duration.ofMillis(300));
        // An abort is no sign the transactions are back; a commit is.
        after.writeInbound(request("payments", ApiKeys.END_TXN, END_TXN_VERSION, 3, new EndTxnRequestData().setCommitted(false)));
        gateway.upstream(1).writeInbound(response(ApiKeys.END_TXN, END_TXN_VERSION, 3, new EndTxnResponseData()));
        assertThat(onlyApplication().back()).isFalse();
        after.writeInbound(request("payments", ApiKeys.END_TXN, END_TXN_VERSION, 4, new EndTxnRequestData().setCommitted(true)));
        gateway.upstream(1).writeInbound(response(ApiKeys.END_TXN, END_TXN_VERSION, 4, new EndTxnResponseData()));
        assertThat(onlyApplication().back()).isTrue();
        assertThat(onlyApplication().recoveredAfterMillis()).isEqualTo(500);
        releaseAll(after);
    }

    @Test
    void anAnswerFromTheClusterLeftToARequestInFlightAtTheSwitchIsNoReturn() {
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 1, new ProduceRequestData().setAcks((short) -1)));
        gateway.upstream(0).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 1, produceAnswer(Errors.NONE)));
        client.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 2, new ProduceRequestData().setAcks((short) -1)));

        tracker.switchStarted(1, "primary", "secondary", false, "alice");
        gateway.switchToStandby();
        tracker.switchCompleted();
        clock.advance(Duration.ofMillis(100));
        gateway.upstream(0).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 2, produceAnswer(Errors.NONE)));
        assertThat(onlyApplication().back()).as("answered by the cluster it left, while draining").isFalse();

        client.runPendingTasks(); // drained: it moves to the secondary
        clock.advance(Duration.ofMillis(100));
        client.writeInbound(request("payments", ApiKeys.PRODUCE, PRODUCE_VERSION, 3, new ProduceRequestData().setAcks((short) -1)));
        gateway.upstream(1).writeInbound(response(ApiKeys.PRODUCE, PRODUCE_VERSION, 3, produceAnswer(Errors.NONE)));
        assertThat(onlyApplication().back()).isTrue();
        assertThat(onlyApplication().recoveredAfterMillis()).isEqualTo(200);
        releaseAll(client);
    }

    @Test
    void anApplicationWhoseConnectionsClosedBeforeTheWindowIsNotRunningAtTheSwitch() {
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(request("nightly", ApiKeys.FETCH, FETCH_VERSION, 1, new FetchRequestData()));
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, fetchAnswer(Errors.NONE)));
        releaseAll(client);
        client.close();
        clock.advance(Duration.ofSeconds(2));

        tracker.switchStarted(1, "primary", "secondary", false, "alice");

        assertThat(onlyApplication().atSwitch()).isEqualTo(AtSwitch.NOT_RUNNING);
        assertThat(tracker.lastSwitch().orElseThrow().rtoScope().name()).isEqualTo("NONE");
    }

    private ApplicationRecovery onlyApplication() {
        List<ApplicationRecovery> applications = tracker.lastSwitch().orElseThrow().applications();
        assertThat(applications).hasSize(1);
        return applications.get(0);
    }

    private static FetchResponseData fetchAnswer(Errors error) {
        FetchResponseData answer = new FetchResponseData().setSessionId(0);
        answer.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("orders")
                .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(0).setErrorCode(error.code())
                        .setRecords(MemoryRecords.EMPTY))));
        return answer;
    }

    private static ProduceResponseData produceAnswer(Errors error) {
        ProduceResponseData answer = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("payments");
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0).setErrorCode(error.code()));
        answer.responses().add(topic);
        return answer;
    }

    private static void releaseAll(EmbeddedChannel client) {
        for (ByteBuf frame = client.readOutbound(); frame != null; frame = client.readOutbound()) {
            frame.release();
        }
    }
}
