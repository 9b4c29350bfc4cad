package dev.switchboard.chaos.faults;

import java.nio.ByteBuffer;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.RecordBatches;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * {@code invalid-schema-id}: record values framed for a schema registry (the Confluent wire format: a zero magic byte,
 * a 4-byte big-endian schema id, then the payload) name a schema the registry does not have, so a consumer's
 * deserializer fails to look it up, as after a registry was wiped or a producer wrote against another registry.
 * Params: {@code target}: {@code fetch} (default) changes what consumers read, the log untouched, or {@code produce}
 * what is written; {@code schemaId}: the id written (default 2147483647, which no registry numbering from 1 hands
 * out). Values not framed that way (shorter than 5 bytes, or not starting with 0) are left alone; keys, headers and
 * the payload are untouched, and checksums are recomputed so the client accepts the batches.
 */
public final class InvalidSchemaId extends RecordsFault {

    public static final FaultType TYPE = new FaultType("invalid-schema-id",
            "Schema-registry framed record values name a schema id the registry does not have", InvalidSchemaId::parse);

    private static final int DEFAULT_SCHEMA_ID = Integer.MAX_VALUE;
    /** The magic byte, then the schema id. */
    private static final int FRAME_BYTES = 5;
    private static final byte MAGIC = 0;

    private final int schemaId;

    InvalidSchemaId(Target target, int schemaId) {
        super(target);
        this.schemaId = schemaId;
    }

    static InvalidSchemaId parse(Params params) {
        Target target = Target.parse(params);
        return new InvalidSchemaId(target, (int) params.integer("schemaId", DEFAULT_SCHEMA_ID, 0, Integer.MAX_VALUE));
    }

    @Override
    MemoryRecords change(MemoryRecords records, FaultContext context) {
        return RecordBatches.rewriteValues(records, this::withSchemaId);
    }

    /** A copy of a framed value naming {@link #schemaId}; any other value as it is. */
    private ByteBuffer withSchemaId(ByteBuffer value) {
        if (value.remaining() < FRAME_BYTES || value.get(value.position()) != MAGIC) {
            return value;
        }
        ByteBuffer copy = ByteBuffer.allocate(value.remaining()).put(value.duplicate()).flip();
        copy.putInt(1, schemaId);
        return copy;
    }
}
