package dev.switchboard.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.chaos.Fault;
import dev.switchboard.chaos.FaultType;
import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.chaos.Params;
import dev.switchboard.chaos.RuleParser;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The params of {@code transaction-errors} and {@code rebalance}: their defaults, and bad input refused by field. */
class TransactionAndRebalanceParamsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void transactionErrorsDefaultToRetriableCodesOnEveryTransactionApi() throws Exception {
        Fault fault = parse(TransactionErrors.TYPE, "{}");
        assertThat(fault.interest().requestKeys()).containsExactlyInAnyOrderElementsOf(TransactionErrors.APIS);
        assertThat(TransactionErrors.DEFAULTS.get(ApiKeys.END_TXN)).containsExactlyInAnyOrder(
                Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.COORDINATOR_NOT_AVAILABLE, Errors.CONCURRENT_TRANSACTIONS);
        assertThat(TransactionErrors.DEFAULTS.get(ApiKeys.TXN_OFFSET_COMMIT)).containsExactlyInAnyOrder(
                Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.COORDINATOR_NOT_AVAILABLE);
        TransactionErrors.DEFAULTS.values().forEach(codes ->
                assertThat(codes).allSatisfy(code -> assertThat(code.exception()).isInstanceOf(
                        RetriableException.class)));
    }

    @Test
    void transactionErrorsActOnlyOnTheApisNamed() throws Exception {
        Fault fault = parse(TransactionErrors.TYPE, "{\"errors\":{\"EndTxn\":[\"INVALID_TXN_STATE\",\"PRODUCER_FENCED\"],"
                + "\"AddPartitionsToTxn\":\"TOPIC_AUTHORIZATION_FAILED\"}}");
        assertThat(fault.interest().requestKeys()).containsExactlyInAnyOrder(ApiKeys.END_TXN, ApiKeys.ADD_PARTITIONS_TO_TXN);
    }

    @Test
    void badTransactionErrorsAreRefusedNamingTheField() {
        assertInvalid(TransactionErrors.TYPE, "{\"errors\":{\"EndTxn\":\"NOT_LEADER_OR_FOLLOWER\"}}", "params.errors.EndTxn");
        assertInvalid(TransactionErrors.TYPE, "{\"errors\":{\"endTxn\":\"INVALID_TXN_STATE\"}}", "params.errors.endTxn");
        assertInvalid(TransactionErrors.TYPE, "{\"errors\":{\"InitProducerId\":\"NO_SUCH_CODE\"}}", "params.errors.InitProducerId");
        assertInvalid(TransactionErrors.TYPE, "{\"errors\":{\"TxnOffsetCommit\":[]}}", "params.errors.TxnOffsetCommit");
        assertInvalid(TransactionErrors.TYPE, "{\"errors\":{}}", "params.errors");
        assertInvalid(TransactionErrors.TYPE, "{\"error\":{}}", "params.error");
    }

    @Test
    void rebalanceAnswersAllItsApisUnlessToldWhich() throws Exception {
        assertThat(parse(Rebalance.TYPE, "{}").interest().requestKeys()).containsExactlyInAnyOrder(ApiKeys.HEARTBEAT,
                ApiKeys.OFFSET_COMMIT, ApiKeys.CONSUMER_GROUP_HEARTBEAT);
        assertThat(parse(Rebalance.TYPE, "{\"apis\":\"Heartbeat\"}").interest().requestKeys())
                .containsExactly(ApiKeys.HEARTBEAT);
        assertThat(parse(Rebalance.TYPE, "{\"apis\":[\"OffsetCommit\"]}").interest().requestKeys())
                .as("commits, and heartbeats that tell a consumer-protocol member's commits apart")
                .containsExactlyInAnyOrder(ApiKeys.OFFSET_COMMIT, ApiKeys.CONSUMER_GROUP_HEARTBEAT);
    }

    @Test
    void badRebalanceParamsAreRefusedNamingTheField() {
        assertInvalid(Rebalance.TYPE, "{\"apis\":[\"Heartbeat\",\"Fetch\"]}", "params.apis");
        assertInvalid(Rebalance.TYPE, "{\"apis\":[\"NoSuchApi\"]}", "params.apis");
        assertInvalid(Rebalance.TYPE, "{\"errors\":\"UNKNOWN_MEMBER_ID\"}", "params.errors");
    }

    @Test
    void aRebalanceRuleWithATopicScopeIsRefusedRatherThanNeverActing() {
        RuleParser parser = new RuleParser(FaultTypes.ALL, Duration.ofHours(1));
        assertThatThrownBy(() -> parser.parse(JSON.readTree(
                "{\"name\":\"r\",\"type\":\"rebalance\",\"scope\":{\"topic\":\"orders\"}}"), Instant.now(), "test"))
                .isInstanceOfSatisfying(InvalidRule.class, e -> {
                    assertThat(e.field()).isEqualTo("scope.topic");
                    assertThat(e.getMessage()).contains("scope.group");
                });
    }

    @Test
    void bothTypesAreRegistered() {
        assertThat(FaultTypes.ALL).contains(TransactionErrors.TYPE, Rebalance.TYPE);
        assertThat(FaultTypes.ALL.stream().map(FaultType::name)).doesNotHaveDuplicates();
    }

    private static Fault parse(FaultType type, String params) throws Exception {
        return type.parse(Params.of(JSON.readTree(params)));
    }

    private static void assertInvalid(FaultType type, String params, String field) {
        assertThatThrownBy(() -> parse(type, params)).as(params)
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
    }
}
