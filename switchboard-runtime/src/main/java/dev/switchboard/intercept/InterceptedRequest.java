package dev.switchboard.intercept;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;

/** A client request an interceptor asked to see. */
public interface InterceptedRequest {

    RequestHeader header();

    default ApiKeys apiKey() {
        return header().apiKey();
    }

    default short apiVersion() {
        return header().apiVersion();
    }

    /**
     * The request body, decoded with kafka-clients' generated class for its API ({@code ProduceRequestData} and so
     * on) at the version the client sent. Decoded on the first call and shared by every interceptor after it;
     * records inside it are views of the frame, not copies. Change it in place and forward it with
     * {@link RequestAction#forwardModified()} to have it re-encoded.
     *
     * <p>The message, and the records in it, are valid only on the connection's event loop while the request is
     * being handled: its memory is the frame's, released once the request is forwarded or answered.
     *
     * @throws MalformedRequestException when the body does not parse; thrown through, it closes the connection
     */
    ApiMessage message();

    /** Bytes left over after the body parsed: a well-formed request has none. Decodes the body if needed. */
    int unreadBytes();

    /** Whether the client waits for a response: false only for Produce with {@code acks=0}. */
    boolean expectsResponse();

    /** The frame's size in bytes, size prefix included, as it arrived. */
    int size();
}
