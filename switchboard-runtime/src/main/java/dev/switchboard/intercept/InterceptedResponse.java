package dev.switchboard.intercept;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** A response on its way to the client that an interceptor asked to see. */
public interface InterceptedResponse {

    ApiKeys apiKey();

    short apiVersion();

    int correlationId();

    /**
     * The response body, decoded with kafka-clients' generated class at the request's version, with broker addresses
     * already rewritten. Change it in place and return {@link ResponseAction#forwardModified()} to have it
     * re-encoded; record batches can be replaced with {@link RecordBatches}. Valid only on the connection's event loop
     * until the response is sent: its memory is the frame's.
     */
    ApiMessage message();
}
