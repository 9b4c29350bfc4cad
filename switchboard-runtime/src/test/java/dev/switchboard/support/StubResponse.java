package dev.switchboard.support;

import dev.switchboard.intercept.InterceptedResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** A response as the data path shows an interceptor, already decoded, for tests of one interceptor or fault. */
public record StubResponse(ApiKeys apiKey, short apiVersion, int correlationId, ApiMessage message) implements InterceptedResponse {

    public static StubResponse of(ApiKeys api, int version, int correlationId, ApiMessage message) {
        return new StubResponse(api, (short) version, correlationId, message);
    }
}
