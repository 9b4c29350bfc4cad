package dev.switchboard.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class RecordBatchesTest {

    private static final long PRODUCER_ID = 4242;
    private static final short EPOCH = 3;
    private static final int BASE_SEQUENCE = 17;

    @Test
    void rewrittenValuesKeepEverythingElseAndPassTheirChecksums() {
        for (Compression compression : List.of(Compression.NONE, Compression.gzip().build(), Compression.lz4().build())) {
            MemoryRecords original = MemoryRecords.withIdempotentRecords(100L, compression, PRODUCER_ID, EPOCH, BASE_SEQUENCE, 7,
                    new SimpleRecord(11L, "k1".getBytes(), "hello".getBytes(), new RecordHeader[] {new RecordHeader("h", "v".getBytes())}),
                    new SimpleRecord(12L, "k2".getBytes(), null),
                    new SimpleRecord(13L, null, "world".getBytes()));

            MemoryRecords rewritten = RecordBatches.rewriteValues(original, value -> ByteBuffer.wrap(
                    (StandardCharsets.UTF_8.decode(value) + "!").getBytes(StandardCharsets.UTF_8)));

            MutableRecordBatch batch = rewritten.batches().iterator().next();
            batch.ensureValid();
            assertThat(batch.producerId()).isEqualTo(PRODUCER_ID);
            assertThat(batch.producerEpoch()).isEqualTo(EPOCH);
            assertThat(batch.baseSequence()).isEqualTo(BASE_SEQUENCE);
            assertThat(batch.baseOffset()).isEqualTo(100L);
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(7);
            assertThat(batch.compressionType()).isEqualTo(compression.type());
            List<Record> records = new ArrayList<>();
            batch.forEach(records::add);
            assertThat(records).extracting(Record::offset).containsExactly(100L, 101L, 102L);
            assertThat(records).extracting(Record::timestamp).containsExactly(11L, 12L, 13L);
            assertThat(records).extracting(record -> text(record.value())).containsExactly("hello!", null, "world!");
            assertThat(records).extracting(record -> text(record.key())).containsExactly("k1", "k2", null);
            assertThat(records.get(0).headers()).extracting(h -> h.key()).containsExactly("h");
        }
    }

    @Test
    void brokenChecksumsFailValidationAndTheOriginalIsUntouched() {
        MemoryRecords original = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes()), new SimpleRecord("b".getBytes()));
        MemoryRecords twice = RecordBatches.concat(original, original);

        MemoryRecords broken = RecordBatches.breakChecksums(twice);

        List<MutableRecordBatch> batches = new ArrayList<>();
        broken.batches().forEach(batches::add);
        assertThat(batches).hasSize(2).allSatisfy(batch -> assertThat(batch.isValid()).isFalse());
        twice.batches().forEach(MutableRecordBatch::ensureValid);
    }

    private static String text(ByteBuffer buffer) {
        return buffer == null ? null : StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
}
