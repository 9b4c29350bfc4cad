package dev.switchboard.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.ShortRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.Test;

/** The acks peek against kafka-clients' own encoding of Produce requests, at every version the gateway forwards. */
class ProduceAcksTest {

    @Property(tries = 500)
    void readsTheAcksTheGeneratedClassWrote(@ForAll @ShortRange(min = -1, max = 1) short acks,
                                            @ForAll @IntRange(min = 0, max = 13) int versionSeed,
                                            @ForAll @StringLength(max = 300) String transactionalId,
                                            @ForAll boolean transactional) {
        short version = (short) Math.max(ApiKeys.PRODUCE.oldestVersion(),
                Math.min(ApiKeys.PRODUCE.latestVersion(false), versionSeed));
        ProduceRequestData produce = new ProduceRequestData().setAcks(acks).setTimeoutMs(1000)
                .setTransactionalId(transactional ? transactionalId : null);
        ByteBuffer body = MessageUtil.toByteBufferAccessor(produce, version).buffer();

        assertThat(ProduceAcks.peek(body, version)).isEqualTo(acks);
        assertThat(body.position()).as("the peek leaves the body unread").isZero();
    }

    @Test
    void aBodyTooShortForAcksIsABadRequest() {
        assertThatThrownBy(() -> ProduceAcks.peek(ByteBuffer.wrap(new byte[] {0, 5, 'a'}), (short) 3))
                .isInstanceOf(ProtocolViolation.class).hasMessageContaining("no acks field");
    }
}
