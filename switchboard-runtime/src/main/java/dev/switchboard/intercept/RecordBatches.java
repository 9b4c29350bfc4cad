package dev.switchboard.intercept;

import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * Changes to the record batches inside a Produce request or a Fetch response, built with kafka-clients' record
 * classes. Results are new buffers: the frame they came from is never written to.
 */
public final class RecordBatches {

    private RecordBatches() {
    }

    /**
     * Every record's value replaced by {@code change}'s result (null keeps a null value), with offsets, timestamps,
     * keys, headers, producer id, epoch, sequence, compression and delete horizon kept, and every checksum recomputed.
     * {@code change} gets a view of the frame: it must return a new buffer, never write to the one it got.
     *
     * <p>Control batches, and batches with no records left (kept by compaction for their producer state), are kept as
     * they are: rebuilt, an empty batch would vanish, and a consumer whose fetch holds only it would never move past
     * its offsets. A truncated last batch, as a broker ends a Fetch response that hit its size limit, is kept as it
     * came: clients skip it and fetch it whole next time, as they would without the gateway, and a client that
     * parsed it would reject it whatever it held.
     */
    public static MemoryRecords rewriteValues(MemoryRecords records, UnaryOperator<ByteBuffer> change) {
        ByteBufferOutputStream out = new ByteBufferOutputStream(Math.max(64, records.sizeInBytes()));
        int whole = 0;
        for (MutableRecordBatch batch : records.batches()) {
            whole += batch.sizeInBytes();
            if (batch.isControlBatch() || Integer.valueOf(0).equals(batch.countOrNull())) {
                ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(copy);
                out.write(copy.flip());
                continue;
            }
            MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, batch.magic(),
                    Compression.of(batch.compressionType()).build(), batch.timestampType(), batch.baseOffset(),
                    batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP,
                    batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false,
                    batch.partitionLeaderEpoch(), Integer.MAX_VALUE, batch.deleteHorizonMs().orElse(RecordBatch.NO_TIMESTAMP));
            for (Record record : batch) {
                ByteBuffer value = record.hasValue() ? change.apply(record.value()) : null;
                builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), value, record.headers());
            }
            builder.close();
        }
        ByteBuffer truncated = records.buffer().duplicate();
        out.write(truncated.position(truncated.position() + whole));
        ByteBuffer result = out.buffer().flip();
        return MemoryRecords.readableRecords(result.slice());
    }

    /** The producer fields a v2 batch header is to carry: id, epoch and base sequence. */
    public record ProducerFields(long producerId, short producerEpoch, int baseSequence) {
    }

    /**
     * A copy in which each v2 batch takes the producer fields {@code change} gives it; a batch for which it returns
     * null, or older formats, are copied as they are. Only the headers of changed batches are rewritten and
     * checksummed again (the CRC32C covers the header from its attributes on, and the records); records, offsets,
     * timestamps, codec and the transactional and control flags are kept byte for byte. Returns {@code records}
     * itself when no batch changed. {@code change} sees views of the frame and must not keep them.
     */
    public static MemoryRecords withProducerFields(MemoryRecords records, Function<RecordBatch, ProducerFields> change) {
        ByteBuffer copy = null;
        int position = 0;
        for (MutableRecordBatch batch : records.batches()) {
            ProducerFields fields = batch instanceof DefaultRecordBatch ? change.apply(batch) : null;
            if (fields != null) {
                if (copy == null) {
                    copy = ByteBuffer.allocate(records.sizeInBytes());
                    copy.put(records.buffer().duplicate()).flip();
                }
                Integer count = batch.countOrNull();
                DefaultRecordBatch.writeHeader(copy.duplicate().position(position), batch.baseOffset(),
                        (int) (batch.lastOffset() - batch.baseOffset()), batch.sizeInBytes(), batch.magic(),
                        batch.compressionType(), batch.timestampType(), ((DefaultRecordBatch) batch).baseTimestamp(),
                        batch.maxTimestamp(), fields.producerId(), fields.producerEpoch(), fields.baseSequence(),
                        batch.isTransactional(), batch.isControlBatch(), batch.deleteHorizonMs().isPresent(),
                        batch.partitionLeaderEpoch(), count == null ? 0 : count);
            }
            position += batch.sizeInBytes();
        }
        return copy == null ? records : MemoryRecords.readableRecords(copy);
    }

    /** The batches of {@code first} and then those of {@code second}, as they are. */
    public static MemoryRecords concat(MemoryRecords first, MemoryRecords second) {
        ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        both.put(first.buffer().duplicate()).put(second.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(both);
    }

    /**
     * A copy whose every v2 batch fails its checksum, as a corrupted log or network would make it, for testing how a
     * client handles one. Older formats are copied unchanged.
     */
    public static MemoryRecords breakChecksums(MemoryRecords records) {
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer().duplicate()).flip();
        MemoryRecords broken = MemoryRecords.readableRecords(copy);
        int position = 0;
        for (MutableRecordBatch batch : broken.batches()) {
            if (batch instanceof DefaultRecordBatch) {
                int crc = position + DefaultRecordBatch.CRC_OFFSET;
                copy.putInt(crc, ~copy.getInt(crc));
            }
            position += batch.sizeInBytes();
        }
        return MemoryRecords.readableRecords(copy);
    }

    /**
     * A copy with every record written twice in a row, as a client that sent it twice would have: offsets renumbered
     * to stay contiguous from the first batch's base offset; codec, timestamps, keys, headers, producer fields and leader
     * epoch kept; every checksum recomputed. Control batches are kept as they are. Meant for batches without a producer
     * id: doubling an idempotent batch would break its sequence numbers.
     */
    public static MemoryRecords doubleRecords(MemoryRecords records) {
        ByteBufferOutputStream out = new ByteBufferOutputStream(Math.max(64, 2 * records.sizeInBytes()));
        long nextOffset = -1;
        for (MutableRecordBatch batch : records.batches()) {
            if (nextOffset < 0) {
                nextOffset = batch.baseOffset();
            }
            if (batch.isControlBatch()) {
                ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(copy);
                out.write(copy.flip());
                continue;
            }
            MemoryRecordsBuilder builder = new MemoryRecordsBuilder(out, batch.magic(),
                    Compression.of(batch.compressionType()).build(), batch.timestampType(), nextOffset,
                    batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP,
                    batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false,
                    batch.partitionLeaderEpoch(), Integer.MAX_VALUE);
            for (Record record : batch) {
                for (int copy = 0; copy < 2; copy++) {
                    builder.appendWithOffset(nextOffset++, record.timestamp(), view(record.key()), view(record.value()),
                            record.headers());
                }
            }
            builder.close();
        }
        ByteBuffer result = out.buffer().flip();
        return MemoryRecords.readableRecords(result.slice());
    }

    /** A view of its own, so writing one record's bytes does not move another's position. */
    private static ByteBuffer view(ByteBuffer bytes) {
        return bytes == null ? null : bytes.duplicate();
    }
}
