package dev.switchboard.chaos.faults;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Random;

import dev.switchboard.chaos.FaultContext;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.RecordBatches;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * {@code corruption}: record values of the topics in scope get random bytes, as from a faulty disk, network card or
 * serializer. Params:
 * <ul>
 *   <li>{@code target}: {@code fetch} (default) alters what consumers read, the log untouched; {@code produce} alters
 *       what is written.</li>
 *   <li>{@code checksum}: {@code valid} (default) recomputes each batch's CRC, so the client accepts the batch and the
 *       application gets the altered values; {@code invalid} leaves the altered batches with a wrong CRC, so a Java
 *       consumer's poll fails with a corrupt-record error and a broker refuses the produce with CORRUPT_MESSAGE. Only
 *       v2 batches, the format of every current client, are given a wrong CRC; older ones, which only old logs hold,
 *       keep a valid one.</li>
 *   <li>{@code bytes}: how many bytes of each value change (default 1); a value that short or shorter changes whole.
 *       Each changed byte becomes another one, so every non-empty value differs from what was sent.</li>
 * </ul>
 * Null and empty values, keys, headers, offsets and timestamps stay as they are. The bytes come from the rule's
 * seeded random source, so a seed replays the same corruption for the same traffic.
 */
public final class Corruption extends RecordsFault {

    public static final FaultType TYPE = new FaultType("corruption",
            "Random bytes in record values, with a valid or a broken checksum, on produce or fetch", Corruption::parse);

    private final boolean validChecksum;
    private final int bytes;

    Corruption(Target target, boolean validChecksum, int bytes) {
        super(target);
        this.validChecksum = validChecksum;
        this.bytes = bytes;
    }

    static Corruption parse(Params params) {
        Target target = Target.parse(params);
        boolean valid = params.choice("checksum", "valid", "valid", "invalid").equals("valid");
        int bytes = (int) params.integer("bytes", 1, 1, Integer.MAX_VALUE);
        return new Corruption(target, valid, bytes);
    }

    @Override
    MemoryRecords change(MemoryRecords records, FaultContext context) {
        Random random = context.random();
        MemoryRecords corrupted = RecordBatches.rewriteValues(records, value -> corrupt(value, random));
        return validChecksum ? corrupted : RecordBatches.breakChecksums(corrupted);
    }

    /** A copy of {@code value} with {@code bytes} of its bytes, at distinct random places, each changed to another. */
    private ByteBuffer corrupt(ByteBuffer value, Random random) {
        if (!value.hasRemaining()) {
            return value;
        }
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        BitSet places = places(copy.length, random);
        for (int i = places.nextSetBit(0); i >= 0; i = places.nextSetBit(i + 1)) {
            copy[i] ^= (byte) (1 + random.nextInt(255));
        }
        return ByteBuffer.wrap(copy);
    }

    /** {@code bytes} distinct places below {@code length}, or all of them, by Floyd's sampling. */
    private BitSet places(int length, Random random) {
        BitSet places = new BitSet(length);
        if (bytes >= length) {
            places.set(0, length);
            return places;
        }
        for (int j = length - bytes; j < length; j++) {
            int candidate = random.nextInt(j + 1);
            places.set(places.get(candidate) ? j : candidate);
        }
        return places;
    }
}
