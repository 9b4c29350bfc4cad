package dev.switchboard.producerids;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.InterceptedResponse;
import dev.switchboard.intercept.Interceptor;
import dev.switchboard.intercept.InterceptorFactory;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RecordBatches;
import dev.switchboard.intercept.RecordBatches.ProducerFields;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import dev.switchboard.producerids.ProducerBinding.PartitionKey;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent producers keep one identity across switches: the gateway answers InitProducerId with a virtual id
 * ({@link VirtualProducerIds}) and, on a cluster other than the one that issued it, writes their batches under a real
 * producer that cluster issued for them ({@link ProducerBinding}), with sequences counted from the first batch sent
 * there. No client library then sees a sequence or producer error at a switch, and no client's id reaches a cluster
 * where another producer (MirrorMaker 2's, say) may hold the same number.
 *
 * <ul>
 *   <li><b>InitProducerId</b> without a transactional id: the issued id goes to the client tagged with the serving
 *       cluster (unchanged on the first configured cluster). One that names the client's id, to bump its epoch, asks
 *       the cluster for a fresh id unless the id is the serving cluster's own and was never bound elsewhere.</li>
 *   <li><b>Produce</b>: each idempotent batch takes its real id, epoch and sequence; only changed headers are
 *       checksummed again. Until a partition's first batch on this cluster is answered, a request with a later batch
 *       for it waits (at most {@link #FIRST_ANSWER_WAIT_MILLIS}), so it cannot overtake the first; if the first was
 *       not accepted, the later one is answered NOT_LEADER_OR_FOLLOWER. A producer seen for the first time on a cluster other than its issuer waits, and the
 *       requests behind it on its connection with it, for one InitProducerId round trip ({@link ProducerIdSource});
 *       if no id can be had, its produce is answered NOT_LEADER_OR_FOLLOWER, which every client retries.</li>
 *   <li><b>Transactional producers</b> are left as they are: their id belongs to the old cluster's transaction
 *       coordinator, so their next transaction on the new cluster fails with INVALID_PRODUCER_ID_MAPPING (the
 *       transaction open at the switch is lost, aborted in effect) and a new producer with the same
 *       {@code transactional.id} works at once.</li>
 * </ul>
 *
 * Otherwise Produce responses need no change: their errors are about the real producer's stream, which is the client's stream
 * shifted, so OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER or INVALID_PRODUCER_EPOCH mean to the client what
 * they would mean without the gateway. Cost: before any switch, on the first configured cluster, Produce is not looked
 * at; after a switch, or on another cluster, every Produce request is decoded, and those whose batches change are
 * copied and re-encoded.
 */
public final class VirtualProducers implements InterceptorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualProducers.class);
    private static final Interest IDS = Interest.requests(ApiKeys.INIT_PRODUCER_ID).andResponses(ApiKeys.INIT_PRODUCER_ID);
    private static final Interest IDS_AND_PRODUCE = IDS.andRequests(ApiKeys.PRODUCE);
    private static final Interest IDS_AND_PRODUCE_BOTH_WAYS = IDS_AND_PRODUCE.andResponses(ApiKeys.PRODUCE);
    private static final int NOT_ROUTED = -1;
    /**
     * The longest a batch waits for the answer to its partition's first batch on the new cluster; past it, it is
     * answered NOT_LEADER_OR_FOLLOWER, and the client sends both again in order.
     */
    static final long FIRST_ANSWER_WAIT_MILLIS = 5_000;

    private final VirtualProducerIds ids;
    private final ProducerBindings bindings;
    private final Clock clock;

    public VirtualProducers(VirtualProducerIds ids, ProducerBindings bindings, Clock clock) {
        this.ids = ids;
        this.bindings = bindings;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "virtual-producers";
    }

    @Override
    public Interceptor create(ConnectionContext connection) {
        return new OnConnection();
    }

    /** One connection's view: the serving cluster's tag, and its idempotent InitProducerId requests in flight. */
    private final class OnConnection implements Interceptor {

        private final Deque<Integer> idempotentInits = new ArrayDeque<>();
        /** What the responses to Produce requests in flight owe the client, by correlation id; one entry per request. */
        private final Map<Integer, OwedAnswers> owedByCorrelation = new HashMap<>();
        /** One partition's findings at a time, reused: the event loop handles one request at a time. */
        private final FirstBatches firsts = new FirstBatches();
        private String cluster;
        private int tag = NOT_ROUTED;
        /** The bindings the request being handled waited for, so a failure to get them is answered, not awaited again. */
        private CompletableFuture<?> awaited;
        /** Whether the request being handled waited for first batches' answers already, so it waits once at most. */
        private boolean waitedForFirsts;

        @Override
        public Interest interest() {
            if (!owedByCorrelation.isEmpty()) {
                return IDS_AND_PRODUCE_BOTH_WAYS;
            }
            return tag == 0 && !bindings.switched() ? IDS : IDS_AND_PRODUCE;
        }

        @Override
        public void clientIdentified(ConnectionContext connection) {
            serving(connection);
        }

        private void serving(ConnectionContext connection) {
            Optional<String> serving = connection.servingCluster();
            if (serving.isPresent() && !serving.get().equals(cluster)) {
                cluster = serving.get();
                tag = ids.tag(cluster);
            }
        }

        @Override
        public RequestAction onRequest(InterceptedRequest request, ConnectionContext connection) {
            serving(connection);
            if (cluster == null) {
                return RequestAction.forward();
            }
            return request.apiKey() == ApiKeys.PRODUCE ? produce(request, connection)
                    : initProducerId((InitProducerIdRequestData) request.message(), request.header().correlationId());
        }

        private RequestAction initProducerId(InitProducerIdRequestData init, int correlationId) {
            if (init.transactionalId() != null) {
                return RequestAction.forward();
            }
            idempotentInits.add(correlationId);
            long virtualId = init.producerId();
            if (virtualId < 0) {
                return RequestAction.forward();
            }
            boolean own = VirtualProducerIds.issuer(virtualId) == tag && !bindings.bound(virtualId);
            bindings.forget(virtualId);
            if (own) {
                long realId = VirtualProducerIds.realIdAtIssuer(virtualId);
                if (realId == virtualId) {
                    return RequestAction.forward();
                }
                init.setProducerId(realId);
                return RequestAction.forwardModified();
            }
            // Its id means nothing here, or has sequences it left behind: it starts afresh, as KIP-360 lets a broker say.
            init.setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
            return RequestAction.forwardModified();
        }

        private RequestAction produce(InterceptedRequest request, ConnectionContext connection) {
            ProduceRequestData produce = (ProduceRequestData) request.message();
            CompletableFuture<?> waitedFor = awaited;
            awaited = null;
            List<CompletableFuture<ProducerBinding>> missing = unbound(produce);
            if (!missing.isEmpty()) {
                if (waitedFor != null && waitedFor.isCompletedExceptionally()) {
                    LOG.warn("Produce answered NOT_LEADER_OR_FOLLOWER: no producer id could be had on cluster {} ({})",
                            cluster, waitedFor.handle((ignored, error) -> error).join());
                    return RequestAction.answerError(Errors.NOT_LEADER_OR_FOLLOWER,
                            "the gateway could not get a producer id on cluster " + cluster + " yet");
                }
                awaited = CompletableFuture.allOf(missing.toArray(CompletableFuture[]::new));
                return RequestAction.askAgainWhen(awaited);
            }
            long now = clock.millis();
            if (!waitedForFirsts) {
                CompletableFuture<Void> firstsAnswered = firstsToAwait(produce, connection, now);
                if (firstsAnswered != null) {
                    waitedForFirsts = true;
                    return RequestAction.askAgainWhen(firstsAnswered);
                }
            }
            waitedForFirsts = false;
            boolean modified = false;
            OwedAnswers owed = new OwedAnswers();
            for (Iterator<ProduceRequestData.TopicProduceData> topics = produce.topicData().iterator(); topics.hasNext(); ) {
                ProduceRequestData.TopicProduceData topic = topics.next();
                Object topicKey = topicKey(topic, connection);
                for (Iterator<ProduceRequestData.PartitionProduceData> partitions = topic.partitionData().iterator(); partitions.hasNext(); ) {
                    ProduceRequestData.PartitionProduceData partition = partitions.next();
                    if (!(partition.records() instanceof MemoryRecords records)) {
                        continue;
                    }
                    PartitionKey key = new PartitionKey(topicKey, partition.index());
                    firsts.reset();
                    MemoryRecords real = RecordBatches.withProducerFields(records, batch -> real(batch, key, now, firsts));
                    if (firsts.overtaking) {
                        partitions.remove();
                        owed.notLeader(topic, partition.index());
                        modified = true;
                        continue;
                    }
                    firsts.awaiting.forEach(binding -> owed.first(topic, partition.index(), binding, key, firsts.epoch));
                    if (real != records) {
                        partition.setRecords(real);
                        modified = true;
                    }
                }
                if (topic.partitionData().isEmpty()) {
                    topics.remove();
                }
            }
            if (owed.none()) {
                return modified ? RequestAction.forwardModified() : RequestAction.forward();
            }
            if (produce.topicData().isEmpty()) {
                return RequestAction.answer(owed.answer(new ProduceResponseData()));
            }
            if (request.expectsResponse()) {
                owedByCorrelation.put(request.header().correlationId(), owed);
            }
            return RequestAction.forwardModified();
        }

        /**
         * The answers this request must wait for: those to its partitions' first batches on this cluster that its own
         * batches would overtake. The broker takes a connection's requests one at a time, so a later batch that waits
         * here for the first's answer, instead of being refused, goes in order at once, and the client never retries
         * it. Null when there is nothing to wait for.
         */
        private CompletableFuture<Void> firstsToAwait(ProduceRequestData produce, ConnectionContext connection, long now) {
            List<CompletableFuture<Void>> unanswered = null;
            for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
                Object topicKey = null;
                for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                    if (!(partition.records() instanceof MemoryRecords records)) {
                        continue;
                    }
                    boolean holdsFirst = false;
                    for (MutableRecordBatch batch : records.batches()) {
                        Optional<ProducerBinding> binding = idempotent(batch) ? bindings.on(batch.producerId(), cluster) : Optional.empty();
                        if (binding.isEmpty()) {
                            continue;
                        }
                        topicKey = topicKey != null ? topicKey : topicKey(topic, connection);
                        PartitionKey key = new PartitionKey(topicKey, partition.index());
                        // Once the first is accepted, as for nearly every Produce after a switch, nothing waits, and
                        // the batch is left for the loop after; with no base yet, this batch becomes the first.
                        if (!binding.get().awaitsFirstAcceptance(key)) {
                            continue;
                        }
                        int realSequence = binding.get().real(batch, key, now).baseSequence();
                        holdsFirst |= realSequence == 0;
                        CompletableFuture<Void> answered = binding.get().firstAnswered(key);
                        // A first batch in this very request cannot be waited for; the loop after refuses what overtakes it.
                        if (!holdsFirst && !answered.isDone() && !binding.get().mayGo(key, batch.producerEpoch(), realSequence)) {
                            unanswered = unanswered == null ? new ArrayList<>(1) : unanswered;
                            unanswered.add(answered);
                        }
                    }
                }
            }
            return unanswered == null ? null : CompletableFuture.allOf(unanswered.toArray(CompletableFuture[]::new))
                    .completeOnTimeout(null, FIRST_ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }

        /** Binds the producers of this request that have no real id on the serving cluster yet. */
        private List<CompletableFuture<ProducerBinding>> unbound(ProduceRequestData produce) {
            List<CompletableFuture<ProducerBinding>> missing = new ArrayList<>(0);
            for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
                for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                    if (partition.records() instanceof MemoryRecords records) {
                        for (MutableRecordBatch batch : records.batches()) {
                            if (idempotent(batch) && !own(batch.producerId())
                                    && bindings.on(batch.producerId(), cluster).isEmpty()) {
                                missing.add(bindings.bind(batch.producerId(), cluster, batch.producerEpoch()));
                            }
                        }
                    }
                }
            }
            return missing;
        }

        /** Whether the serving cluster issued this id and the producer never left it: its batches need the tag off only. */
        private boolean own(long virtualId) {
            return VirtualProducerIds.issuer(virtualId) == tag && !bindings.bound(virtualId);
        }

        private ProducerFields real(RecordBatch batch, PartitionKey partition, long now, FirstBatches firsts) {
            if (!idempotent(batch)) {
                return null;
            }
            long virtualId = batch.producerId();
            Optional<ProducerBinding> binding = bindings.on(virtualId, cluster);
            if (binding.isPresent()) {
                ProducerFields real = binding.get().real(batch, partition, now);
                if (!binding.get().mayGo(partition, batch.producerEpoch(), real.baseSequence())) {
                    firsts.overtaking = true;
                } else if (binding.get().awaitsFirstAcceptance(partition)) {
                    firsts.awaiting.add(binding.get());
                    firsts.epoch = batch.producerEpoch();
                }
                return real;
            }
            long realId = VirtualProducerIds.realIdAtIssuer(virtualId);
            return realId == virtualId ? null : new ProducerFields(realId, batch.producerEpoch(), batch.baseSequence());
        }

        @Override
        public void connectionClosed(ConnectionContext connection) {
            owedByCorrelation.values().forEach(OwedAnswers::unanswered);
            owedByCorrelation.clear();
        }

        @Override
        public ResponseAction onResponse(InterceptedResponse response, ConnectionContext connection) {
            if (response.apiKey() == ApiKeys.PRODUCE) {
                OwedAnswers owed = owedByCorrelation.remove(response.correlationId());
                return owed == null ? ResponseAction.forward() : owed.settle((ProduceResponseData) response.message());
            }
            if (!idempotentInits.remove(response.correlationId()) || tag <= 0) {
                return ResponseAction.forward();
            }
            InitProducerIdResponseData issued = (InitProducerIdResponseData) response.message();
            if (issued.errorCode() != Errors.NONE.code() || issued.producerId() < 0) {
                return ResponseAction.forward();
            }
            issued.setProducerId(VirtualProducerIds.virtualId(tag, issued.producerId()));
            return ResponseAction.forwardModified();
        }
    }

    /** What the batches of one partition of a Produce request showed: one overtook a first batch, or were first. */
    private static final class FirstBatches {
        private final List<ProducerBinding> awaiting = new ArrayList<>(1);
        private boolean overtaking;
        private short epoch;

        void reset() {
            awaiting.clear();
            overtaking = false;
        }
    }

    /**
     * What one Produce request's response owes: the partitions taken out of it because their batch overtook the
     * partition's first batch here (answered NOT_LEADER_OR_FOLLOWER, which every client retries, in order), and the
     * first batches whose acceptance lets the rest go.
     */
    private static final class OwedAnswers {

        private record Partition(String topic, Uuid topicId, int index) {
        }

        private record First(Partition partition, ProducerBinding binding, PartitionKey key, short epoch) {
        }

        private final List<Partition> notLeader = new ArrayList<>(0);
        private final List<First> firsts = new ArrayList<>(0);

        void notLeader(ProduceRequestData.TopicProduceData topic, int index) {
            notLeader.add(new Partition(topic.name(), topic.topicId(), index));
        }

        void first(ProduceRequestData.TopicProduceData topic, int index, ProducerBinding binding, PartitionKey key, short epoch) {
            firsts.add(new First(new Partition(topic.name(), topic.topicId(), index), binding, key, epoch));
        }

        boolean none() {
            return notLeader.isEmpty() && firsts.isEmpty();
        }

        /** Marks the first batches the cluster accepted, and adds the answers for the partitions taken out. */
        ResponseAction settle(ProduceResponseData response) {
            for (First first : firsts) {
                ProduceResponseData.TopicProduceResponse topic = response.responses().find(first.partition().topic(), first.partition().topicId());
                ProduceResponseData.PartitionProduceResponse answer = topic == null ? null : topic.partitionResponses().stream()
                        .filter(p -> p.index() == first.partition().index()).findFirst().orElse(null);
                if (answer != null && (answer.errorCode() == Errors.NONE.code() || answer.errorCode() == Errors.DUPLICATE_SEQUENCE_NUMBER.code())) {
                    first.binding().accepted(first.key(), first.epoch());
                } else {
                    first.binding().refused(first.key(), first.epoch());
                }
            }
            if (notLeader.isEmpty()) {
                return ResponseAction.forward();
            }
            answer(response);
            return ResponseAction.forwardModified();
        }

        /** The connection closed before the response came: what waits on its first batches goes on. */
        void unanswered() {
            firsts.forEach(first -> first.binding().refused(first.key(), first.epoch()));
        }

        /** {@code response} with NOT_LEADER_OR_FOLLOWER for every partition taken out. */
        ProduceResponseData answer(ProduceResponseData response) {
            for (Partition partition : notLeader) {
                ProduceResponseData.TopicProduceResponse topic = response.responses().find(partition.topic(), partition.topicId());
                if (topic == null) {
                    topic = new ProduceResponseData.TopicProduceResponse().setName(partition.topic()).setTopicId(partition.topicId());
                    response.responses().add(topic);
                }
                topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(partition.index())
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setBaseOffset(-1)
                        .setErrorMessage("the gateway holds this batch back until the cluster accepted the partition's first batch"
                                + " from this producer since the switch"));
            }
            return response;
        }
    }

    /**
     * A partition's topic, by name when it can be had: after a switch a client sends the old cluster's topic ids until
     * its next metadata, then the new ones, and both must count from the same base.
     */
    private static Object topicKey(ProduceRequestData.TopicProduceData topic, ConnectionContext connection) {
        return connection.topicName(topic.name(), topic.topicId()).<Object>map(name -> name).orElse(topic.topicId());
    }

    private static boolean idempotent(RecordBatch batch) {
        return batch.hasProducerId() && !batch.isTransactional();
    }
}
