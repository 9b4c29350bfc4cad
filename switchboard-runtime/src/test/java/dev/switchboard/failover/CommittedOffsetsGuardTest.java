package dev.switchboard.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.ResponseAction;
import dev.switchboard.support.ManualClock;
import dev.switchboard.support.StubConnection;
import dev.switchboard.support.StubRequest;
import dev.switchboard.support.StubResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * After a planned switchover, an OffsetFetch answer below the exact offsets the switch wrote (MirrorMaker 2 synced the
 * group again) is raised to them, in every OffsetFetch version's layout, and only until the group commits.
 */
class CommittedOffsetsGuardTest {

    private static final String TOPIC = "orders";
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CommittedOffsetsGuard guard = new CommittedOffsetsGuard(clock, registry);
    private final StubConnection onSecondary = new StubConnection("secondary", Map.of(TOPIC_ID, TOPIC));

    CommittedOffsetsGuardTest() {
        guard.switched("secondary", ExactGroupOffsets.of(Map.of("readers",
                Map.of(new TopicPartition(TOPIC, 0), 40L, new TopicPartition(TOPIC, 1), 25L))));
    }

    @Test
    void aRewoundOffsetIsRaisedToTheExactOneAndAnUnknownPartitionIsLeftAlone() {
        Interceptor interceptor = guard.create(onSecondary);
        OffsetFetchResponseData answer = batched("readers", TOPIC, null, Map.of(0, 31L, 1, 25L, 2, 7L));

        ResponseAction action = interceptor.onResponse(response(10, answer), onSecondary);

        assertThat(action).isEqualTo(ResponseAction.forwardModified());
        assertThat(offsets(answer)).containsExactly(40L, 25L, 7L);
        assertThat(restored()).isEqualTo(1);
    }

    @Test
    void topicIdsOfVersion10AreResolvedAndNoOffsetCommittedCountsAsBelow() {
        Interceptor interceptor = guard.create(onSecondary);
        OffsetFetchResponseData answer = batched("readers", "", TOPIC_ID, Map.of(0, -1L, 1, 3L));

        interceptor.onResponse(response(10, answer), onSecondary);

        assertThat(offsets(answer)).containsExactly(40L, 25L);
        assertThat(restored()).isEqualTo(2);
    }

    @Test
    void anUnbatchedFetchIsMatchedToItsGroupByCorrelationId() {
        Interceptor interceptor = guard.create(onSecondary);
        interceptor.onRequest(request(ApiKeys.OFFSET_FETCH, 5, 77, new OffsetFetchRequestData().setGroupId("readers")), onSecondary);
        OffsetFetchResponseData answer = new OffsetFetchResponseData().setTopics(List.of(new OffsetFetchResponseTopic()
                .setName(TOPIC).setPartitions(List.of(new OffsetFetchResponsePartition().setPartitionIndex(0).setCommittedOffset(12)))));

        interceptor.onResponse(response(5, 77, answer), onSecondary);

        assertThat(answer.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(40);
    }

    @Test
    void whatTheGroupCommitsAfterTheSwitchIsLeftAsTheClusterAnswers() {
        Interceptor interceptor = guard.create(onSecondary);
        interceptor.onRequest(request(ApiKeys.OFFSET_COMMIT, 9, 1, new OffsetCommitRequestData().setGroupId("readers")
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(10)))))), onSecondary);
        OffsetFetchResponseData answer = batched("readers", TOPIC, null, Map.of(0, 10L, 1, 3L));

        interceptor.onResponse(response(10, answer), onSecondary);

        assertThat(offsets(answer)).containsExactly(10L, 25L);
    }

    @Test
    void nothingIsGuardedOnAnotherClusterOrAfterTheGuardEnds() {
        StubConnection onPrimary = new StubConnection("primary", Map.of(TOPIC_ID, TOPIC));
        OffsetFetchResponseData answer = batched("readers", TOPIC, null, Map.of(0, 1L));
        assertThat(guard.create(onPrimary).onResponse(response(10, answer), onPrimary)).isEqualTo(ResponseAction.forward());

        clock.advance(CommittedOffsetsGuard.GUARD_FOR.plusSeconds(1));
        Interceptor interceptor = guard.create(onSecondary);
        assertThat(interceptor.interest()).isEqualTo(Interest.NONE);
        assertThat(interceptor.onResponse(response(10, answer), onSecondary)).isEqualTo(ResponseAction.forward());
        assertThat(offsets(answer)).containsExactly(1L);
        assertThat(restored()).isZero();
    }

    private double restored() {
        return registry.get("switchboard.failover.offsets.restored").counter().count();
    }

    private static OffsetFetchResponseData batched(String group, String topic, Uuid topicId, Map<Integer, Long> offsets) {
        OffsetFetchResponseTopics topics = new OffsetFetchResponseTopics().setName(topic);
        if (topicId != null) {
            topics.setTopicId(topicId);
        }
        offsets.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(offset -> topics.partitions().add(
                new OffsetFetchResponsePartitions().setPartitionIndex(offset.getKey()).setCommittedOffset(offset.getValue())));
        return new OffsetFetchResponseData().setGroups(List.of(new OffsetFetchResponseGroup().setGroupId(group)
                .setErrorCode(Errors.NONE.code()).setTopics(List.of(topics))));
    }

    private static List<Long> offsets(OffsetFetchResponseData answer) {
        return answer.groups().get(0).topics().get(0).partitions().stream().map(OffsetFetchResponsePartitions::committedOffset).toList();
    }

    private static InterceptedRequest request(ApiKeys api, int version, int correlationId, ApiMessage message) {
        return StubRequest.of(api, version, correlationId, message);
    }

    private static InterceptedResponse response(int version, OffsetFetchResponseData message) {
        return response(version, 1, message);
    }

    private static InterceptedResponse response(int version, int correlationId, OffsetFetchResponseData message) {
        return StubResponse.of(ApiKeys.OFFSET_FETCH, version, correlationId, message);
    }
}
