package dev.switchboard.support;

import dev.switchboard.intercept.InterceptedRequest;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;

/** A request as the data path shows an interceptor, already decoded, for tests of one interceptor or fault. */
public record StubRequest(RequestHeader header, ApiMessage message) implements InterceptedRequest {

    public static StubRequest of(ApiKeys api, int version, int correlationId, ApiMessage message) {
        return new StubRequest(new RequestHeader(api, (short) version, "client", correlationId), message);
    }

    @Override
    public int unreadBytes() {
        return 0;
    }

    @Override
    public boolean expectsResponse() {
        return true;
    }

    @Override
    public int size() {
        return 0;
    }
}
