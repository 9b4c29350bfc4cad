package dev.switchboard.datapath;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * A request forwarded upstream whose response has not come back.
 *
 * @param receivedNanos  when the gateway got the request
 * @param forwardedNanos when the gateway handed it to the upstream connection
 */
record InFlightRequest(int correlationId, ApiKeys apiKey, short apiVersion, long receivedNanos, long forwardedNanos) {
}
