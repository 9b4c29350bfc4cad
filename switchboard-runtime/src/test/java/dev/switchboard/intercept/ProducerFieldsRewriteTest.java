package dev.switchboard.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import dev.switchboard.intercept.RecordBatches.ProducerFields;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordBatches#withProducerFields}, on random batches of every codec: the changed headers carry the new
 * producer fields and a valid checksum, every other byte stays as it was, unchanged batches and the original too.
 */
class ProducerFieldsRewriteTest {

    private static final List<Compression> CODECS = List.of(Compression.NONE, Compression.gzip().build(),
            Compression.snappy().build(), Compression.lz4().build(), Compression.zstd().build());
    /** The bytes of a v2 header that hold the checksum, producer id, epoch and base sequence. */
    private static final int CRC = DefaultRecordBatch.CRC_OFFSET;
    private static final int PRODUCER_FIELDS = 43;
    private static final int PRODUCER_FIELDS_END = 57;

    @Test
    void rewrittenHeadersPassTheirChecksumsAndEveryOtherByteIsKept() {
        Random random = new Random(20261202);
        for (int round = 0; round < 100; round++) {
            List<MemoryRecords> batches = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            long offset = random.nextInt(1000);
            for (int i = 0; i < count; i++) {
                Compression codec = CODECS.get(random.nextInt(CODECS.size()));
                SimpleRecord[] records = records(random);
                batches.add(random.nextBoolean()
                        ? MemoryRecords.withIdempotentRecords(offset, codec, random.nextInt(1_000_000), (short) random.nextInt(5),
                                random.nextInt(Integer.MAX_VALUE), random.nextInt(10), records)
                        : MemoryRecords.withTransactionalRecords(offset, codec, random.nextInt(1_000_000), (short) random.nextInt(5),
                                random.nextInt(Integer.MAX_VALUE), random.nextInt(10), records));
                offset += records.length;
            }
            MemoryRecords original = concat(batches);
            byte[] before = bytes(original.buffer());
            boolean[] change = new boolean[count];
            ProducerFields[] given = new ProducerFields[count];
            for (int i = 0; i < count; i++) {
                change[i] = random.nextInt(3) > 0;
                given[i] = new ProducerFields(1L << 48 | random.nextInt(1_000_000), (short) random.nextInt(Short.MAX_VALUE),
                        random.nextInt(Integer.MAX_VALUE));
            }
            int[] seen = {0};

            MemoryRecords rewritten = RecordBatches.withProducerFields(original, batch -> {
                int i = seen[0]++;
                return change[i] ? given[i] : null;
            });

            assertThat(bytes(original.buffer())).as("the original").isEqualTo(before);
            List<MutableRecordBatch> originals = list(original);
            List<MutableRecordBatch> results = list(rewritten);
            assertThat(results).hasSameSizeAs(originals);
            int position = 0;
            for (int i = 0; i < count; i++) {
                MutableRecordBatch was = originals.get(i);
                MutableRecordBatch is = results.get(i);
                is.ensureValid();
                byte[] wasBytes = slice(before, position, was.sizeInBytes());
                byte[] isBytes = slice(bytes(rewritten.buffer()), position, is.sizeInBytes());
                position += was.sizeInBytes();
                if (!change[i]) {
                    assertThat(isBytes).as("batch %d, unchanged", i).isEqualTo(wasBytes);
                    continue;
                }
                assertThat(is.producerId()).isEqualTo(given[i].producerId());
                assertThat(is.producerEpoch()).isEqualTo(given[i].producerEpoch());
                assertThat(is.baseSequence()).isEqualTo(given[i].baseSequence());
                assertThat(is.isTransactional()).isEqualTo(was.isTransactional());
                assertThat(is.compressionType()).isEqualTo(was.compressionType());
                assertThat(outsideProducerFields(isBytes)).as("batch %d beside its checksum and producer fields", i)
                        .isEqualTo(outsideProducerFields(wasBytes));
                assertThat(contents(is)).isEqualTo(contents(was));
            }
        }
    }

    @Test
    void recordsWithNothingToChangeComeBackAsTheyAre() {
        MemoryRecords original = MemoryRecords.withIdempotentRecords(0, Compression.NONE, 7, (short) 0, 0, 0,
                new SimpleRecord("a".getBytes()));

        assertThat(RecordBatches.withProducerFields(original, batch -> null)).isSameAs(original);
    }

    private static SimpleRecord[] records(Random random) {
        SimpleRecord[] records = new SimpleRecord[1 + random.nextInt(20)];
        for (int i = 0; i < records.length; i++) {
            byte[] key = random.nextBoolean() ? null : randomBytes(random, random.nextInt(20));
            byte[] value = random.nextInt(10) == 0 ? null : randomBytes(random, random.nextInt(300));
            Header[] headers = random.nextBoolean() ? new Header[0]
                    : new Header[] {new RecordHeader("h" + i, randomBytes(random, random.nextInt(10)))};
            records[i] = new SimpleRecord(random.nextInt(1_000_000), key, value, headers);
        }
        return records;
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static MemoryRecords concat(List<MemoryRecords> batches) {
        MemoryRecords all = batches.get(0);
        for (int i = 1; i < batches.size(); i++) {
            all = RecordBatches.concat(all, batches.get(i));
        }
        return all;
    }

    private static List<MutableRecordBatch> list(MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        records.batches().forEach(batches::add);
        return batches;
    }

    /** Every record as key, value, offset, timestamp and headers. */
    private static List<String> contents(MutableRecordBatch batch) {
        List<String> records = new ArrayList<>();
        for (Record record : batch) {
            records.add(record.offset() + "/" + record.timestamp() + "/" + text(record.key()) + "/" + text(record.value())
                    + "/" + List.of(record.headers()));
        }
        return records;
    }

    private static String text(ByteBuffer bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes(bytes));
    }

    private static byte[] outsideProducerFields(byte[] batch) {
        byte[] copy = batch.clone();
        for (int i = CRC; i < CRC + 4; i++) {
            copy[i] = 0;
        }
        for (int i = PRODUCER_FIELDS; i < PRODUCER_FIELDS_END; i++) {
            copy[i] = 0;
        }
        return copy;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        byte[] slice = new byte[length];
        System.arraycopy(bytes, from, slice, 0, length);
        return slice;
    }
}
