package dev.switchboard.datapath;

import static dev.switchboard.datapath.InMemoryGateway.response;
import static dev.switchboard.datapath.InterceptionLayerTest.FETCH_VERSION;
import static dev.switchboard.datapath.InterceptionLayerTest.LIST_OFFSETS_VERSION;
import static dev.switchboard.datapath.InterceptionLayerTest.fetch;
import static dev.switchboard.datapath.InterceptionLayerTest.forwardedCorrelationIds;
import static dev.switchboard.datapath.InterceptionLayerTest.listOffsets;
import static dev.switchboard.datapath.InterceptionLayerTest.receivedCorrelationIds;
import static dev.switchboard.support.TestInterceptors.onRequests;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.embedded.EmbeddedChannel;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RequestAction;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/**
 * A cluster switch moves each client connection to the new cluster instead of closing it, step by step on in-memory
 * channels: what the old cluster still answers, what the new one gets, and when the connection closes after all.
 */
class ConnectionMoveTest {

    @Test
    void aRequestInFlightIsAnsweredByTheOldClusterAndTheNextGoesToTheNewOne() {
        InMemoryGateway gateway = new InMemoryGateway(List.of());
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(fetch(1));
        EmbeddedChannel old = gateway.upstream(0);
        assertThat(forwardedCorrelationIds(old)).containsExactly(1);

        gateway.switchToStandby();
        client.runPendingTasks();
        assertThat(client.config().isAutoRead()).as("the client is not read while its connection drains").isFalse();
        client.writeInbound(fetch(2));
        assertThat(forwardedCorrelationIds(old)).as("nothing more goes to the old cluster").isEmpty();

        old.writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        client.runPendingTasks();

        assertThat(old.isOpen()).as("the old cluster's connection closed once it answered").isFalse();
        EmbeddedChannel standby = gateway.upstream(1);
        assertThat(forwardedCorrelationIds(standby)).containsExactly(2);
        standby.writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 2, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1, 2);
        assertThat(client.isOpen()).isTrue();
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(gateway.closed("cluster_switch")).isZero();
        assertThat(moved(gateway)).isEqualTo(1);
    }

    @Test
    void aConnectionMovesOnceItsLastAnswerIsSent() {
        InMemoryGateway gateway = new InMemoryGateway(List.of());
        EmbeddedChannel client = switchedWithAFetchInFlight(gateway);
        gateway.upstream(0).writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1);
        client.runPendingTasks();
        client.writeInbound(fetch(2));

        assertThat(gateway.upstream(0).isOpen()).isFalse();
        assertThat(forwardedCorrelationIds(gateway.upstream(1))).containsExactly(2);
    }

    @Test
    void aRequestHeldAtTheSwitchGoesOnlyToTheNewCluster() {
        CompletableFuture<RequestAction> hold = new CompletableFuture<>();
        List<String> seenOn = new ArrayList<>();
        InMemoryGateway gateway = new InMemoryGateway(List.of(
                onRequests("hold", Interest.requests(ApiKeys.LIST_OFFSETS), (request, connection) -> RequestAction.later(hold)),
                onRequests("after-hold", Interest.requests(ApiKeys.LIST_OFFSETS), (request, connection) -> {
                    seenOn.add(connection.servingCluster().orElseThrow());
                    return RequestAction.forward();
                })));
        EmbeddedChannel client = gateway.connect();
        client.writeInbound(fetch(1), listOffsets(2), fetch(3));
        EmbeddedChannel old = gateway.upstream(0);
        assertThat(forwardedCorrelationIds(old)).containsExactly(1);

        gateway.switchToStandby();
        hold.complete(RequestAction.forward()); // as the gateway does: the hold ends after the switch is applied
        client.runPendingTasks();
        assertThat(forwardedCorrelationIds(old)).as("the held request never reaches the old cluster").isEmpty();
        old.writeInbound(response(ApiKeys.FETCH, FETCH_VERSION, 1, new FetchResponseData()));
        client.runPendingTasks();

        EmbeddedChannel standby = gateway.upstream(1);
        assertThat(forwardedCorrelationIds(standby)).containsExactly(2, 3);
        assertThat(seenOn).as("the interceptors after the hold see the cluster the request goes to")
                .containsExactly(InMemoryGateway.STANDBY);
        standby.writeInbound(response(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, 2, new ListOffsetsResponseData()),
                response(ApiKeys.FETCH, FETCH_VERSION, 3, new FetchResponseData()));
        assertThat(receivedCorrelationIds(client)).containsExactly(1, 2, 3);
    }

    @Test
    void aConnectionWhoseRequestsInFlightAreNotAnsweredInTimeCloses() {
        InMemoryGateway gateway = new InMemoryGateway(List.of());
        EmbeddedChannel client = switchedWithAFetchInFlight(gateway);
        client.advanceTimeBy(ClientConnection.DRAIN_TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(client.isOpen()).isTrue();
        client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        assertThat(client.isOpen()).as("the client must send its request again, elsewhere").isFalse();
        assertThat(gateway.upstream(0).isOpen()).isFalse();
        assertThat(gateway.closed("cluster_switch")).isEqualTo(1);
        assertThat(moved(gateway)).isZero();
    }

    @Test
    void aConnectionWhoseOldClusterHangsUpWhileItDrainsCloses() {
        InMemoryGateway gateway = new InMemoryGateway(List.of());
        EmbeddedChannel client = switchedWithAFetchInFlight(gateway);
        gateway.upstream(0).close();

        assertThat(client.isOpen()).isFalse();
        assertThat(gateway.closed("upstream_closed")).isEqualTo(1);
    }

    /** A client whose Fetch went to the primary, not answered yet when the standby became active. */
    private static EmbeddedChannel switchedWithAFetchInFlight(InMemoryGateway gateway) {
        EmbeddedChannel client = gateway.connect();
        client.freezeTime(); // only advanceTimeBy moves the clock, however slow the machine
        client.writeInbound(fetch(1));
        assertThat(forwardedCorrelationIds(gateway.upstream(0))).containsExactly(1);
        gateway.switchToStandby();
        client.runPendingTasks();
        return client;
    }

    private static double moved(InMemoryGateway gateway) {
        return gateway.metrics.registry().find("switchboard.connections.moved").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
