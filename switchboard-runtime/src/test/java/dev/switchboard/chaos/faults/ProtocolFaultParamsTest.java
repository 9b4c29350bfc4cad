package dev.switchboard.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.chaos.FaultRule;
import dev.switchboard.chaos.InvalidRule;
import dev.switchboard.chaos.RuleParser;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/** The params of outage, throttle and authorization-failure: their defaults, and bad values refused naming the field. */
class ProtocolFaultParamsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RuleParser parser = new RuleParser(FaultTypes.ALL, Duration.ofHours(1));

    @Test
    void outageClosesConnectionsByDefaultAndBlackholesThemWhenAsked() throws Exception {
        assertThat(parse("outage", "{}").fault().closesOpenConnections()).contains(Outage.CLOSE_CAUSE);
        assertThat(parse("outage", "{\"mode\":\"close\"}").fault().closesOpenConnections()).contains(Outage.CLOSE_CAUSE);
        assertThat(parse("outage", "{\"mode\":\"blackhole\"}").fault().closesOpenConnections()).isEmpty();
        assertThat(parse("outage", "{}").fault().interest().requestKeys()).contains(ApiKeys.API_VERSIONS, ApiKeys.PRODUCE);
    }

    @Test
    void throttleWatchesProduceAndFetchResponsesByDefaultOrTheListedOnes() throws Exception {
        assertThat(parse("throttle", "{}").fault().interest().responseKeys()).containsExactlyInAnyOrder(ApiKeys.PRODUCE, ApiKeys.FETCH);
        assertThat(parse("throttle", "{\"time\":\"250ms\",\"apis\":\"Fetch\"}").fault().interest().responseKeys())
                .containsExactly(ApiKeys.FETCH);
        assertThat(parse("throttle", "{\"time\":\"5m\"}").fault().interest().requestKeys()).contains(ApiKeys.METADATA);
    }

    @Test
    void authorizationFailureRefusesTopicsAndGroupsByDefaultOrTheChosenOnes() throws Exception {
        assertThat(parse("authorization-failure", "{}").fault().interest().requestKeys())
                .contains(ApiKeys.PRODUCE, ApiKeys.METADATA, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP);
        assertThat(parse("authorization-failure", "{\"resources\":\"topics\"}").fault().interest().requestKeys())
                .containsExactlyInAnyOrder(ApiKeys.PRODUCE, ApiKeys.METADATA);
        assertThat(parse("authorization-failure", "{\"resources\":[\"groups\"]}").fault().interest().requestKeys())
                .contains(ApiKeys.FIND_COORDINATOR, ApiKeys.OFFSET_COMMIT).doesNotContain(ApiKeys.PRODUCE);
        assertThat(parse("authorization-failure", "{\"resources\":[\"groups\"]}").fault().interest().responseKeys()).isEmpty();
    }

    @Test
    void badParamsAreRefusedNamingTheField() {
        assertInvalid("outage", "{\"mode\":\"unplug\"}", "params.mode");
        assertInvalid("outage", "{\"mode\":7}", "params.mode");
        assertInvalid("outage", "{\"modes\":\"close\"}", "params.modes");
        assertInvalid("throttle", "{\"time\":\"6m\"}", "params.time");
        assertInvalid("throttle", "{\"time\":0}", "params.time");
        assertInvalid("throttle", "{\"time\":\"soon\"}", "params.time");
        assertInvalid("throttle", "{\"apis\":[\"Produce\",\"Metadata\"]}", "params.apis");
        assertInvalid("throttle", "{\"apis\":\"NoSuchApi\"}", "params.apis");
        assertInvalid("authorization-failure", "{\"resources\":\"acls\"}", "params.resources");
        assertInvalid("authorization-failure", "{\"resources\":[\"topics\",3]}", "params.resources");
        assertInvalid("authorization-failure", "{\"errors\":\"GROUP_AUTHORIZATION_FAILED\"}", "params.errors");
    }

    private FaultRule parse(String type, String params) throws Exception {
        return parser.parse(JSON.readTree("{\"name\":\"r\",\"type\":\"" + type + "\",\"params\":" + params + "}"), Instant.now(), "test");
    }

    private void assertInvalid(String type, String params, String field) {
        assertThatThrownBy(() -> parse(type, params)).as(type + " " + params)
                .isInstanceOfSatisfying(InvalidRule.class, e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
    }
}
