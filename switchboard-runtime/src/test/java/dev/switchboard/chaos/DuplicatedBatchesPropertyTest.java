package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.chaos.faults.Duplicates;
import dev.switchboard.intercept.ConnectionContext;
import dev.switchboard.intercept.InterceptedRequest;
import dev.switchboard.intercept.Interest;
import dev.switchboard.intercept.RecordBatches;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.support.StubConnection;
import dev.switchboard.support.StubRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Random record batches of every codec and message format, doubled by {@code duplicates}' produce side: the result
 * parses with Kafka's own parser, passes its checksums, holds every record twice in a row in order at contiguous
 * offsets with its codec kept, and an idempotent producer's batches are never touched.
 */
class DuplicatedBatchesPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record as generated: key and value may be null, headers only where the format has them. */
    record Generated(byte[] key, byte[] value, long timestamp, List<String> headers) {
    }

    /** A message format and a codec it can carry: zstd came with v2. */
    record Format(byte magic, CompressionType codec) {
    }

    @Property(tries = 150)
    void everyRecordIsThereTwiceInOrderAtContiguousOffsets(@ForAll("formats") Format format,
                                                           @ForAll("batches") List<List<Generated>> batches,
                                                           @ForAll("baseOffsets") long baseOffset) {
        byte magic = format.magic();
        CompressionType codec = format.codec();
        MemoryRecords original = records(magic, codec, baseOffset, batches, RecordBatch.NO_PRODUCER_ID);

        MemoryRecords doubled = MemoryRecords.readableRecords(RecordBatches.doubleRecords(original).buffer().duplicate());

        List<SimpleRecord> expected = new ArrayList<>();
        for (Record record : original.records()) {
            expected.add(new SimpleRecord(record));
            expected.add(new SimpleRecord(record));
        }
        List<SimpleRecord> records = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (MutableRecordBatch batch : doubled.batches()) {
            batch.ensureValid();
            assertThat(batch.magic()).as("magic").isEqualTo(magic);
            assertThat(batch.compressionType()).as("codec").isEqualTo(codec);
            for (Record record : batch) {
                record.ensureValid();
                records.add(new SimpleRecord(record));
                offsets.add(record.offset());
            }
        }
        assertThat(records).as("records, each twice in a row").isEqualTo(expected);
        List<Long> contiguous = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            contiguous.add(baseOffset + i);
        }
        assertThat(offsets).as("offsets").isEqualTo(contiguous);
    }

    @Property(tries = 100)
    void anIdempotentProducersBatchIsLeftAsItIsWhileAPlainOneBesideItIsDoubled(@ForAll("codecs") CompressionType codec,
                                                                              @ForAll("batch") List<Generated> records) {
        MemoryRecords idempotent = records(RecordBatch.MAGIC_VALUE_V2, codec, 0, List.of(records), 4242L);
        MemoryRecords plain = records(RecordBatch.MAGIC_VALUE_V2, codec, 0, List.of(records), RecordBatch.NO_PRODUCER_ID);
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("orders").setPartitionData(new ArrayList<>(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(idempotent),
                new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(plain)))));
        StubContext context = new StubContext();

        RequestAction action = produceFault().onRequest(StubRequest.of(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), 1, produce), context);

        assertThat(action).isEqualTo(RequestAction.forwardModified());
        List<ProduceRequestData.PartitionProduceData> partitions = produce.topicData().iterator().next().partitionData();
        assertThat(partitions.get(0).records()).as("the idempotent batch").isSameAs(idempotent);
        assertThat(count((MemoryRecords) partitions.get(1).records())).as("records of the plain batch").isEqualTo(2 * records.size());
        assertThat(context.hits).as("hits").isEqualTo(1);
    }

    @Example
    void aRequestWithOnlyIdempotentBatchesIsForwardedAsItIsAndNotHit() {
        MemoryRecords idempotent = records(RecordBatch.MAGIC_VALUE_V2, CompressionType.NONE, 0,
                List.of(List.of(new Generated(null, new byte[] {1}, 1L, List.of()))), 7L);
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
        produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("orders").setPartitionData(new ArrayList<>(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(idempotent)))));
        StubContext context = new StubContext();

        assertThat(produceFault().onRequest(StubRequest.of(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), 1, produce), context)).isEqualTo(RequestAction.forward());
        assertThat(produce.topicData().iterator().next().partitionData().get(0).records()).isSameAs(idempotent);
        assertThat(context.hits).as("hits").isZero();
    }

    @Example
    void anUnknownTargetIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Duplicates.TYPE.parse(Params.of(JSON.readTree("{\"target\":\"both\"}"))))
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).isEqualTo("params.target"))
                .hasMessageContaining("fetch").hasMessageContaining("produce");
        assertThatThrownBy(() -> Duplicates.TYPE.parse(Params.of(JSON.readTree("{\"targets\":\"fetch\"}"))))
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).isEqualTo("params.targets"));
    }

    private static Fault produceFault() {
        try {
            return Duplicates.TYPE.parse(Params.of(JSON.readTree("{\"target\":\"produce\"}")));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int count(MemoryRecords records) {
        int count = 0;
        for (Record ignored : records.records()) {
            count++;
        }
        return count;
    }

    private static MemoryRecords records(byte magic, CompressionType codec, long baseOffset, List<List<Generated>> batches,
                                         long producerId) {
        List<MemoryRecords> built = new ArrayList<>();
        long offset = baseOffset;
        for (List<Generated> batch : batches) {
            ByteBuffer buffer = ByteBuffer.allocate(1024 + batch.size() * 512);
            MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, magic, Compression.of(codec).build(),
                    TimestampType.CREATE_TIME, offset, RecordBatch.NO_TIMESTAMP, producerId,
                    producerId < 0 ? RecordBatch.NO_PRODUCER_EPOCH : (short) 0, producerId < 0 ? RecordBatch.NO_SEQUENCE : 0, false,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH);
            for (Generated record : batch) {
                Header[] headers = magic < RecordBatch.MAGIC_VALUE_V2 ? new Header[0] : record.headers().stream()
                        .map(name -> new RecordHeader(name, name.getBytes())).toArray(Header[]::new);
                builder.appendWithOffset(offset++, record.timestamp(), record.key(), record.value(), headers);
            }
            built.add(builder.build());
        }
        MemoryRecords all = built.get(0);
        for (int i = 1; i < built.size(); i++) {
            all = RecordBatches.concat(all, built.get(i));
        }
        return all;
    }

    @Provide
    Arbitrary<CompressionType> codecs() {
        return Arbitraries.of(CompressionType.NONE, CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4,
                CompressionType.ZSTD);
    }

    @Provide
    Arbitrary<Format> formats() {
        return Combinators.combine(Arbitraries.of(RecordBatch.MAGIC_VALUE_V0, RecordBatch.MAGIC_VALUE_V1, RecordBatch.MAGIC_VALUE_V2),
                codecs()).as(Format::new).filter(f -> f.magic() == RecordBatch.MAGIC_VALUE_V2 || f.codec() != CompressionType.ZSTD);
    }

    @Provide
    Arbitrary<Long> baseOffsets() {
        return Arbitraries.longs().between(0, 1_000_000);
    }

    @Provide
    Arbitrary<List<Generated>> batch() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<Generated> record = Combinators.combine(bytes.injectNull(0.2), bytes.injectNull(0.2),
                Arbitraries.longs().between(0, 2_000_000_000_000L),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).list().ofMaxSize(3)).as(Generated::new);
        return record.list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<List<List<Generated>>> batches() {
        return batch().list().ofMinSize(1).ofMaxSize(3);
    }

    /** A rule that names no topic or group, at rate 100, on a connection that learned no topic ids. */
    private static final class StubContext implements FaultContext {

        private final ConnectionContext connection = new StubConnection(null, Map.of());
        int hits;

        @Override
        public ConnectionContext connection() {
            return connection;
        }

        @Override
        public boolean topicInScope(String topic) {
            return true;
        }

        @Override
        public boolean groupInScope(String group) {
            return true;
        }

        @Override
        public boolean namesGroups() {
            return false;
        }

        @Override
        public boolean hit() {
            hits++;
            return true;
        }

        @Override
        public Random random() {
            return new Random(1);
        }

        @Override
        public <T> T connectionState(Supplier<T> initial) {
            return initial.get();
        }

        @Override
        public void changeResponse(int correlationId, ApiKeys api, Consumer<ApiMessage> change) {
        }

        @Override
        public void followRequests(Interest requests, Predicate<InterceptedRequest> follow) {
        }

        @Override
        public MeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }
}
