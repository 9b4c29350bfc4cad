package dev.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.chaos.faults.FaultTypes;
import dev.switchboard.support.FaultsOnMessages;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * {@code corruption} and {@code invalid-schema-id} over random record batches: every codec, magic v0 to v2 (old ones
 * on fetch only, and without headers or producer ids, as Kafka allows), idempotent, transactional, control and empty
 * batches, null, empty, short, framed and long values, and a truncated last batch as a broker ends a full Fetch
 * response. What the fault hands on, encoded in a message and read back, parses with Kafka's own parser; offsets,
 * keys, headers, timestamps, producer state and counts are those sent; values change only as the fault says.
 */
class RecordChangesPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "payments";

    enum Producer { NONE, IDEMPOTENT, TRANSACTIONAL }

    enum Kind { DATA, CONTROL, EMPTY }

    record RecordSpec(byte[] key, byte[] value, Header[] headers, long timestamp) {
    }

    record BatchSpec(Kind kind, byte magic, CompressionType compression, TimestampType timestampType, Producer producer,
                     int leaderEpoch, List<RecordSpec> records) {
    }

    /** What a fault was asked to do, and to which side of the log. */
    record Case(boolean fetch, List<BatchSpec> batches, boolean truncatedTail, long seed) {
    }

    @Property(tries = 200)
    @StatisticsReport(onFailureOnly = true)
    void corruptionWithValidChecksumsChangesTheChosenBytesOfValuesOnly(@ForAll("cases") Case given,
                                                                       @ForAll @IntRange(min = 1, max = 8) int bytes) {
        MemoryRecords original = build(given);
        MemoryRecords changed = apply(given, original, "corruption", "{\"bytes\":" + bytes + "}");
        given.batches().forEach(batch -> Statistics.label("batches").collect(batch.kind(), batch.magic(), batch.compression()));
        Statistics.label("truncated tail").collect(given.truncatedTail());
        Statistics.label("side").collect(given.fetch() ? "fetch" : "produce");
        checkEveryShapeIsTried();

        assertOnlyValuesChanged(given, original, changed, false, (was, now) -> {
            assertThat(now.remaining()).isEqualTo(was.remaining());
            assertThat(differences(was, now)).isEqualTo(Math.min(bytes, was.remaining()));
        });
    }

    @Property(tries = 150)
    void corruptionWithInvalidChecksumsFailsValidationOfEveryV2BatchAndKeepsTheRest(@ForAll("cases") Case given) {
        MemoryRecords original = build(given);
        MemoryRecords changed = apply(given, original, "corruption", "{\"checksum\":\"invalid\",\"bytes\":2}");

        assertOnlyValuesChanged(given, original, changed, true, (was, now) ->
                assertThat(differences(was, now)).isEqualTo(Math.min(2, was.remaining())));
    }

    @Property(tries = 200)
    void invalidSchemaIdRewritesTheIdOfFramedValuesOnly(@ForAll("cases") Case given,
                                                        @ForAll @IntRange(min = 0) int schemaId) {
        MemoryRecords original = build(given);
        MemoryRecords changed = apply(given, original, "invalid-schema-id", "{\"schemaId\":" + schemaId + "}");

        assertOnlyValuesChanged(given, original, changed, false, (was, now) -> {
            if (was.remaining() >= 5 && was.get(was.position()) == 0) {
                ByteBuffer expected = ByteBuffer.allocate(was.remaining()).put(was.duplicate()).flip();
                expected.putInt(1, schemaId);
                assertThat(now).isEqualTo(expected);
            } else {
                assertThat(now).isEqualTo(was);
            }
        });
    }

    /**
     * Every whole batch is there, parses and passes its checksum (or, {@code checksumsBroken}, fails it if v2), with
     * all but its values as they were; values changed as {@code values} says; a truncated tail kept as it came.
     */
    private static void assertOnlyValuesChanged(Case given, MemoryRecords original, MemoryRecords changed,
                                                boolean checksumsBroken, ValueCheck values) {
        List<MutableRecordBatch> before = wholeBatches(original);
        List<MutableRecordBatch> after = wholeBatches(changed);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            MutableRecordBatch batch = after.get(i);
            if (checksumsBroken && batch.magic() >= RecordBatch.MAGIC_VALUE_V2) {
                assertThatThrownBy(batch::ensureValid).isInstanceOf(CorruptRecordException.class);
            } else {
                batch.ensureValid();
            }
            assertSameExceptValues(before.get(i), batch, values);
        }
        assertTailKept(given, original, changed);
    }

    /** Checked once the tries are over: each codec at each magic, control and empty batches, tails, both sides. */
    private static void checkEveryShapeIsTried() {
        Statistics.label("batches").coverage(coverage -> {
            for (CompressionType codec : CompressionType.values()) {
                coverage.check(Kind.DATA, RecordBatch.MAGIC_VALUE_V2, codec).count(n -> n > 0);
                if (codec != CompressionType.ZSTD) {
                    coverage.check(Kind.DATA, RecordBatch.MAGIC_VALUE_V0, codec).count(n -> n > 0);
                    coverage.check(Kind.DATA, RecordBatch.MAGIC_VALUE_V1, codec).count(n -> n > 0);
                }
            }
            coverage.checkQuery(batch -> batch.get(0) == Kind.CONTROL).count(n -> n > 0);
            coverage.checkQuery(batch -> batch.get(0) == Kind.EMPTY).count(n -> n > 0);
        });
        Statistics.label("truncated tail").coverage(coverage -> coverage.check(true).count(n -> n > 0));
        Statistics.label("side").coverage(coverage -> coverage.check("produce").count(n -> n > 0));
    }

    /** How one value must have changed. */
    interface ValueCheck {
        void check(ByteBuffer was, ByteBuffer now);
    }

    private static void assertSameExceptValues(MutableRecordBatch was, MutableRecordBatch now, ValueCheck values) {
        assertThat(now.magic()).isEqualTo(was.magic());
        assertThat(now.baseOffset()).isEqualTo(was.baseOffset());
        assertThat(now.lastOffset()).isEqualTo(was.lastOffset());
        assertThat(now.compressionType()).isEqualTo(was.compressionType());
        assertThat(now.timestampType()).isEqualTo(was.timestampType());
        assertThat(now.maxTimestamp()).isEqualTo(was.maxTimestamp());
        assertThat(now.producerId()).isEqualTo(was.producerId());
        assertThat(now.producerEpoch()).isEqualTo(was.producerEpoch());
        assertThat(now.baseSequence()).isEqualTo(was.baseSequence());
        assertThat(now.isTransactional()).isEqualTo(was.isTransactional());
        assertThat(now.isControlBatch()).isEqualTo(was.isControlBatch());
        assertThat(now.partitionLeaderEpoch()).isEqualTo(was.partitionLeaderEpoch());
        assertThat(now.countOrNull()).isEqualTo(was.countOrNull());
        List<Record> before = records(was);
        List<Record> after = records(now);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            Record expected = before.get(i);
            Record actual = after.get(i);
            assertThat(actual.offset()).isEqualTo(expected.offset());
            assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
            assertThat(actual.sequence()).isEqualTo(expected.sequence());
            assertThat(actual.key()).isEqualTo(expected.key());
            assertThat(actual.headers()).containsExactly(expected.headers());
            assertThat(actual.hasValue()).isEqualTo(expected.hasValue());
            if (was.isControlBatch()) {
                assertThat(actual.value()).isEqualTo(expected.value());
            } else if (expected.hasValue()) {
                values.check(expected.value(), actual.value());
            }
        }
    }

    /** A truncated last batch reaches the client as it came: the client skips it, as it would from the broker. */
    private static void assertTailKept(Case given, MemoryRecords original, MemoryRecords changed) {
        int originalWhole = wholeBatches(original).stream().mapToInt(RecordBatch::sizeInBytes).sum();
        int changedWhole = wholeBatches(changed).stream().mapToInt(RecordBatch::sizeInBytes).sum();
        ByteBuffer tail = original.buffer().position(originalWhole);
        assertThat(changed.buffer().position(changedWhole)).isEqualTo(tail);
        assertThat(tail.hasRemaining()).isEqualTo(given.truncatedTail());
    }

    /** The fault applied to a Fetch response or a Produce request, which is then encoded and read back, as sent. */
    private static MemoryRecords apply(Case given, MemoryRecords records, String type, String params) {
        Fault fault = parse(type, (given.fetch() ? "{\"target\":\"fetch\"," : "{\"target\":\"produce\",") + params.substring(1));
        FaultsOnMessages faults = new FaultsOnMessages(TOPIC::equals, given.seed());
        if (given.fetch()) {
            FetchResponseData fetch = new FetchResponseData();
            fetch.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic(TOPIC).setPartitions(List.of(
                    new FetchResponseData.PartitionData().setPartitionIndex(0).setRecords(records))));
            faults.onFetch(fault, fetch);
            short version = ApiKeys.FETCH.latestVersion();
            FetchResponseData sent = new FetchResponseData(new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(fetch, version).buffer()), version);
            return (MemoryRecords) sent.responses().get(0).partitions().get(0).records();
        }
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
        produce.topicData().add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        faults.onProduce(fault, produce);
        short version = ApiKeys.PRODUCE.latestVersion();
        ProduceRequestData sent = new ProduceRequestData(new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(produce, version).buffer()), version);
        return (MemoryRecords) sent.topicData().iterator().next().partitionData().get(0).records();
    }

    private static Fault parse(String type, String params) {
        FaultType faultType = FaultTypes.ALL.stream().filter(t -> t.name().equals(type)).findFirst().orElseThrow();
        try {
            return faultType.parse(Params.of(JSON.readTree(params)));
        } catch (IOException e) {
            throw new IllegalArgumentException(params, e);
        }
    }

    // ---- building the batches ----------------------------------------------------------------------------------

    private static MemoryRecords build(Case given) {
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        long offset = given.seed() & 0xFFFF;
        int sequence = 0;
        for (BatchSpec spec : given.batches()) {
            long producerId = spec.producer() == Producer.NONE ? RecordBatch.NO_PRODUCER_ID : 4242;
            short epoch = spec.producer() == Producer.NONE ? RecordBatch.NO_PRODUCER_EPOCH : 3;
            int baseSequence = spec.producer() == Producer.NONE ? RecordBatch.NO_SEQUENCE : sequence;
            switch (spec.kind()) {
                case CONTROL -> {
                    MemoryRecords.writeEndTransactionalMarker(out, offset, 1_700_000_000_000L, spec.leaderEpoch(), producerId, epoch,
                            new EndTransactionMarker(spec.records().size() % 2 == 0 ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 5));
                    offset++;
                }
                case EMPTY -> {
                    // What compaction keeps of a batch whose records it removed, for its producer state.
                    DefaultRecordBatch.writeEmptyHeader(out, RecordBatch.MAGIC_VALUE_V2, producerId, epoch, baseSequence, offset,
                            offset + spec.records().size() - 1, spec.leaderEpoch(), spec.timestampType(), 1_700_000_000_000L,
                            spec.producer() == Producer.TRANSACTIONAL, false);
                    offset += spec.records().size();
                }
                case DATA -> {
                    MemoryRecordsBuilder builder = MemoryRecords.builder(out.slice(), spec.magic(),
                            Compression.of(spec.compression()).build(), spec.timestampType(), offset,
                            spec.timestampType() == TimestampType.LOG_APPEND_TIME ? 1_700_000_000_000L : RecordBatch.NO_TIMESTAMP,
                            producerId, epoch, baseSequence, spec.producer() == Producer.TRANSACTIONAL, spec.leaderEpoch());
                    for (RecordSpec record : spec.records()) {
                        builder.appendWithOffset(offset++, spec.magic() == RecordBatch.MAGIC_VALUE_V0 ? RecordBatch.NO_TIMESTAMP
                                : record.timestamp(), record.key(), record.value(), record.headers());
                    }
                    MemoryRecords built = builder.build();
                    out.put(built.buffer());
                }
            }
            sequence += spec.records().size();
        }
        if (given.truncatedTail()) {
            // The last batch again, cut short: what a broker sends when a Fetch response reaches its size limit. The
            // last as a reader sees it: uncompressed v0 and v1 records are one entry each, and a cut at a boundary
            // between them would leave no tail.
            int lastSize = 0;
            for (RecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(out.array(), 0, out.position())).batches()) {
                lastSize = batch.sizeInBytes();
            }
            byte[] last = Arrays.copyOfRange(out.array(), out.position() - lastSize, out.position());
            out.put(last, 0, Math.max(1, last.length - 1 - (int) (given.seed() % (last.length - 1))));
        }
        return MemoryRecords.readableRecords(out.flip());
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(true, false).flatMap(fetch -> Combinators.combine(
                batch(fetch).list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false), Arbitraries.longs().between(1, Long.MAX_VALUE / 2))
                .as((batches, tail, seed) -> new Case(fetch, batches, fetch && tail, seed)));
    }

    /** A produce request carries only v2 batches and no control batches: brokers refuse the rest. */
    private Arbitrary<BatchSpec> batch(boolean fetch) {
        Arbitrary<Byte> magic = fetch ? Arbitraries.of(RecordBatch.MAGIC_VALUE_V0, RecordBatch.MAGIC_VALUE_V1, RecordBatch.MAGIC_VALUE_V2)
                : Arbitraries.just(RecordBatch.MAGIC_VALUE_V2);
        Arbitrary<Kind> kind = fetch ? Arbitraries.frequency(Tuple.of(8, Kind.DATA), Tuple.of(1, Kind.CONTROL),
                Tuple.of(1, Kind.EMPTY)) : Arbitraries.just(Kind.DATA);
        return Combinators.combine(kind, magic, Arbitraries.of(CompressionType.class), Arbitraries.of(Producer.class),
                Arbitraries.of(TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME), Arbitraries.integers().between(-1, 20),
                Arbitraries.integers().between(1, 12), Arbitraries.randoms())
                .as((k, m, compression, producer, timestampType, epoch, count, random) -> {
                    boolean v2 = k != Kind.DATA || m == RecordBatch.MAGIC_VALUE_V2;
                    byte version = v2 ? RecordBatch.MAGIC_VALUE_V2 : m;
                    List<RecordSpec> records = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        records.add(new RecordSpec(random.nextInt(4) == 0 ? null : bytes(random, random.nextInt(12)), value(random),
                                v2 ? headers(random) : Record.EMPTY_HEADERS, 1_690_000_000_000L + random.nextInt(1_000_000)));
                    }
                    return new BatchSpec(k, version,
                            compression == CompressionType.ZSTD && !v2 ? CompressionType.LZ4 : compression,
                            version == RecordBatch.MAGIC_VALUE_V0 ? TimestampType.NO_TIMESTAMP_TYPE : timestampType,
                            k == Kind.CONTROL ? Producer.TRANSACTIONAL : v2 ? producer : Producer.NONE, v2 ? epoch : RecordBatch.NO_PARTITION_LEADER_EPOCH, records);
                });
    }

    private static byte[] value(Random random) {
        int shape = random.nextInt(10);
        return switch (shape) {
            case 0 -> null;
            case 1 -> new byte[0];
            case 2 -> bytes(random, 1 + random.nextInt(4));
            case 3, 4 -> {
                byte[] framed = bytes(random, 5 + random.nextInt(40));
                framed[0] = 0;
                yield framed;
            }
            case 5 -> bytes(random, 1000 + random.nextInt(3000));
            default -> bytes(random, 5 + random.nextInt(100));
        };
    }

    private static Header[] headers(Random random) {
        Header[] headers = new Header[random.nextInt(3)];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = new RecordHeader("h" + random.nextInt(5), random.nextBoolean() ? null : bytes(random, random.nextInt(8)));
        }
        return headers;
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    // ---- reading them back ----------------------------------------------------------------------------------------

    private static List<MutableRecordBatch> wholeBatches(MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        records.batches().forEach(batches::add);
        return batches;
    }

    private static List<Record> records(RecordBatch batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        return records;
    }

    private static int differences(ByteBuffer was, ByteBuffer now) {
        int differences = 0;
        for (int i = 0; i < was.remaining(); i++) {
            differences += was.get(was.position() + i) == now.get(now.position() + i) ? 0 : 1;
        }
        return differences;
    }
}
