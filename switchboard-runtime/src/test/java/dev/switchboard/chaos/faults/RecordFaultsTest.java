package dev.switchboard.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.chaos.Params;
import dev.switchboard.intercept.RecordBatches;
import dev.switchboard.intercept.RequestAction;
import dev.switchboard.intercept.ResponseAction;
import dev.switchboard.support.FaultsOnMessages;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** What {@code corruption} and {@code invalid-schema-id} do to the records of one message, and the params they refuse. */
class RecordFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Header[] HEADERS = {new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8))};

    @Test
    void invalidSchemaIdRewritesTheIdOfFramedValuesOnlyAndLeavesKeysAndHeaders() throws Exception {
        byte[] framed = {0, 0, 0, 0, 7, 'a', 'v', 'r', 'o'};
        byte[] unframed = "{\"json\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] tooShort = {0, 0, 0, 7};
        MemoryRecords original = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k1".getBytes(), framed, HEADERS),
                new SimpleRecord(2L, "k2".getBytes(), unframed, HEADERS), new SimpleRecord(3L, "k3".getBytes(), tooShort),
                new SimpleRecord(4L, "k4".getBytes(), null));
        FetchResponseData fetch = fetch("orders", original);

        ResponseAction action = new FaultsOnMessages(topic -> true, 1).onFetch(fault(InvalidSchemaId.TYPE, "{\"schemaId\":4242}"), fetch);

        assertThat(action).isEqualTo(ResponseAction.forwardModified());
        List<Record> records = records(fetch);
        assertThat(records).extracting(record -> bytes(record.value())).containsExactly(
                new byte[] {0, 0, 0, 0x10, (byte) 0x92, 'a', 'v', 'r', 'o'}, unframed, tooShort, null);
        assertThat(records).extracting(record -> new String(bytes(record.key()), StandardCharsets.UTF_8))
                .containsExactly("k1", "k2", "k3", "k4");
        assertThat(records.get(0).headers()).containsExactly(HEADERS);
        assertThat(records.get(1).headers()).containsExactly(HEADERS);
        assertThat(records).extracting(Record::timestamp).containsExactly(1L, 2L, 3L, 4L);
        assertThat(bytes(records(original).get(0).value())).as("the original frame").isEqualTo(framed);
    }

    @Test
    void corruptionChangesTheChosenNumberOfBytesOfEveryValueAndNoneOfEmptyOrNullOnes() throws Exception {
        byte[] longValue = "a value long enough to corrupt in three places".getBytes(StandardCharsets.UTF_8);
        byte[] shortValue = {1, 2};
        MemoryRecords original = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k".getBytes(), longValue, HEADERS),
                new SimpleRecord(2L, null, shortValue), new SimpleRecord(3L, null, new byte[0]), new SimpleRecord(4L, "k".getBytes(), null));
        FetchResponseData fetch = fetch("orders", original);

        new FaultsOnMessages(topic -> true, 7).onFetch(fault(Corruption.TYPE, "{\"bytes\":3}"), fetch);

        List<Record> records = records(fetch);
        assertThat(differences(longValue, bytes(records.get(0).value()))).isEqualTo(3);
        assertThat(differences(shortValue, bytes(records.get(1).value()))).as("a value shorter than bytes changes whole").isEqualTo(2);
        assertThat(bytes(records.get(2).value())).isEmpty();
        assertThat(records.get(3).hasValue()).isFalse();
        assertThat(records.get(0).headers()).containsExactly(HEADERS);
        assertThat(bytes(records(original).get(0).value())).as("the original frame").isEqualTo(longValue);
    }

    @Test
    void theSameSeedCorruptsTheSameBytes() throws Exception {
        MemoryRecords original = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord("first value".getBytes()), new SimpleRecord("second value".getBytes()));
        List<List<byte[]>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            FetchResponseData fetch = fetch("orders", original);
            new FaultsOnMessages(topic -> true, 99).onFetch(fault(Corruption.TYPE, "{\"bytes\":2}"), fetch);
            runs.add(records(fetch).stream().map(record -> bytes(record.value())).toList());
        }
        assertThat(runs.get(1)).containsExactlyElementsOf(runs.get(0));
    }

    @Test
    void onlyTopicsInScopeAreChangedAndEachProduceRequestIsOneHit() throws Exception {
        MemoryRecords original = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("value".getBytes()));
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000);
        for (String topic : List.of("orders", "ledger")) {
            ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName(topic);
            for (int partition = 0; partition < 2; partition++) {
                data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(original));
            }
            produce.topicData().add(data);
        }
        FaultsOnMessages faults = new FaultsOnMessages("orders"::equals, 3);

        RequestAction action = faults.onProduce(fault(Corruption.TYPE, "{\"target\":\"produce\"}"), produce);

        assertThat(action).isEqualTo(RequestAction.forwardModified());
        assertThat(faults.hits()).isEqualTo(1);
        for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                byte[] value = bytes(records((MemoryRecords) partition.records()).get(0).value());
                assertThat(differences("value".getBytes(), value)).as(topic.name() + "-" + partition.index())
                        .isEqualTo(topic.name().equals("orders") ? 1 : 0);
            }
        }
    }

    @Test
    void aResponseWithoutRecordsInScopeIsNotHit() throws Exception {
        FetchResponseData fetch = fetch("orders", MemoryRecords.EMPTY);
        fetch.responses().add(topic("ledger", MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
        FaultsOnMessages faults = new FaultsOnMessages("orders"::equals, 3);

        ResponseAction action = faults.onFetch(fault(Corruption.TYPE, "{}"), fetch);

        assertThat(action).isEqualTo(ResponseAction.forward());
        assertThat(faults.hits()).isZero();
    }

    @Test
    void anInvalidChecksumFailsValidationOfEveryAlteredBatch() throws Exception {
        MemoryRecords twoBatches = RecordBatches.concat(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("a".getBytes())),
                MemoryRecords.withRecords(2L, Compression.lz4().build(), new SimpleRecord("b".getBytes())));
        FetchResponseData fetch = fetch("orders", twoBatches);

        new FaultsOnMessages(topic -> true, 1).onFetch(fault(Corruption.TYPE, "{\"checksum\":\"invalid\"}"), fetch);

        List<MutableRecordBatch> batches = new ArrayList<>();
        partitionRecords(fetch).batches().forEach(batches::add);
        assertThat(batches).hasSize(2).allSatisfy(batch -> assertThat(batch.isValid()).isFalse());
    }

    @Test
    void aTruncatedLastBatchIsKeptAsItCameAndTheWholeOnesChange() throws Exception {
        MemoryRecords whole = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("first".getBytes()));
        MemoryRecords next = MemoryRecords.withRecords(1L, Compression.NONE, new SimpleRecord("second".getBytes()));
        ByteBuffer truncated = next.buffer();
        truncated.limit(truncated.limit() - 3);
        MemoryRecords withTail = RecordBatches.concat(whole, MemoryRecords.readableRecords(truncated.slice()));
        FetchResponseData fetch = fetch("orders", withTail);

        new FaultsOnMessages(topic -> true, 1).onFetch(fault(Corruption.TYPE, "{}"), fetch);

        MemoryRecords changed = partitionRecords(fetch);
        assertThat(changed.sizeInBytes()).isEqualTo(withTail.sizeInBytes());
        List<Record> records = records(changed);
        assertThat(records).hasSize(1);
        assertThat(differences("first".getBytes(), bytes(records.get(0).value()))).isEqualTo(1);
        ByteBuffer tail = changed.buffer().position(whole.sizeInBytes());
        assertThat(tail).isEqualTo(truncated.position(0));
    }

    @Test
    void badParamsAreRefusedNamingTheField() {
        assertInvalid(Corruption.TYPE, "{\"target\":\"consume\"}", "params.target");
        assertInvalid(Corruption.TYPE, "{\"checksum\":\"broken\"}", "params.checksum");
        assertInvalid(Corruption.TYPE, "{\"bytes\":0}", "params.bytes");
        assertInvalid(Corruption.TYPE, "{\"bytes\":\"many\"}", "params.bytes");
        assertInvalid(Corruption.TYPE, "{\"schemaId\":5}", "params.schemaId");
        assertInvalid(InvalidSchemaId.TYPE, "{\"schemaId\":-1}", "params.schemaId");
        assertInvalid(InvalidSchemaId.TYPE, "{\"schemaId\":2147483648}", "params.schemaId");
        assertInvalid(InvalidSchemaId.TYPE, "{\"target\":\"both\"}", "params.target");
        assertInvalid(InvalidSchemaId.TYPE, "{\"checksum\":\"invalid\"}", "params.checksum");
    }

    private static void assertInvalid(FaultType type, String params, String field) {
        assertThatThrownBy(() -> fault(type, params)).as(params)
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
    }

    private static Fault fault(FaultType type, String params) throws Exception {
        return type.parse(Params.of(JSON.readTree(params)));
    }

    private static FetchResponseData fetch(String topic, MemoryRecords records) {
        FetchResponseData fetch = new FetchResponseData();
        fetch.responses().add(topic(topic, records));
        return fetch;
    }

    private static FetchResponseData.FetchableTopicResponse topic(String name, MemoryRecords records) {
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopic(name);
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setRecords(records));
        return topic;
    }

    private static MemoryRecords partitionRecords(FetchResponseData fetch) {
        return (MemoryRecords) fetch.responses().get(0).partitions().get(0).records();
    }

    private static List<Record> records(FetchResponseData fetch) {
        return records(partitionRecords(fetch));
    }

    private static List<Record> records(MemoryRecords records) {
        List<Record> all = new ArrayList<>();
        records.batches().forEach(batch -> {
            batch.ensureValid();
            batch.forEach(all::add);
        });
        return all;
    }

    private static int differences(byte[] before, byte[] after) {
        assertThat(after).hasSameSizeAs(before);
        int differences = 0;
        for (int i = 0; i < before.length; i++) {
            differences += before[i] == after[i] ? 0 : 1;
        }
        return differences;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
