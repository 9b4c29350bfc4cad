package dev.switchboard.datapath;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

/**
 * The gateway's side of one client connection's SASL, as a broker's: a SaslHandshake picks the mechanism, then
 * SaslAuthenticate rounds run it, until it completes or fails. A completed session may be renewed on the same
 * connection (KIP-368) and ends, when the listener limits sessions, at its expiry: a request after that closes the
 * connection, as a broker closes it.
 *
 * <p>SaslHandshake v0 is advertised, since librdkafka takes a range without it for a broker without SASL, but
 * refused: after v0 the mechanism's bytes come as raw frames, which no client since Kafka 1.0 sends to a broker that
 * has SaslAuthenticate.
 */
final class SaslTermination {

    /** What one SASL request led to; {@code response} goes to the client either way. */
    sealed interface Step permits Continue, Authenticated, Refused {
        ApiMessage response();
    }

    /** The exchange goes on: a handshake accepted, or a round that is not the last. */
    record Continue(ApiMessage response) implements Step {
    }

    record Authenticated(ApiMessage response, String principal, String mechanism, boolean renewal) implements Step {
    }

    /** The client is told why, then the connection closes. {@code cause} is the label counted. */
    record Refused(ApiMessage response, String cause, String mechanism, String reason) implements Step {
    }

    /** The first SaslHandshake after which SASL bytes travel in SaslAuthenticate requests. */
    static final short FIRST_FRAMED_HANDSHAKE = 1;

    private final ClientSasl sasl;
    private final String clientHost;
    private String mechanism;
    private ClientSasl.Exchange exchange;
    private String principal;
    /** When the session ends, by {@link System#nanoTime()}; {@link Long#MAX_VALUE} when it does not. */
    private long sessionEndsNanos = Long.MAX_VALUE;

    SaslTermination(ClientSasl sasl, String clientHost) {
        this.sasl = sasl;
        this.clientHost = clientHost;
    }

    /** The authenticated principal, or null before the first exchange completed. */
    String principal() {
        return principal;
    }

    boolean authenticated() {
        return principal != null;
    }

    /** Whether a session that was authenticated has outlived its lifetime and not been renewed. */
    boolean expired(long nowNanos) {
        return principal != null && exchange == null && nowNanos - sessionEndsNanos > 0;
    }

    Step handshake(ByteBuffer body, short version) {
        SaslHandshakeRequestData request = new SaslHandshakeRequestData(new ByteBufferAccessor(body.duplicate()), version);
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(sasl.mechanisms());
        if (version < FIRST_FRAMED_HANDSHAKE) {
            return refused(response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()), "unsupported_version", request.mechanism(),
                    "SaslHandshake v0 asks for raw SASL frames, which the gateway does not take; clients since Kafka 1.0 use v1"
                            + " and SaslAuthenticate");
        }
        if (exchange != null) {
            return refused(response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code()), "illegal_state", request.mechanism(),
                    "a SaslHandshake arrived in the middle of a " + mechanism + " exchange");
        }
        if (!sasl.mechanisms().contains(request.mechanism())) {
            return refused(response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()), "unsupported_mechanism",
                    request.mechanism(), "the client asked for SASL mechanism " + request.mechanism() + "; the gateway offers "
                            + sasl.mechanisms());
        }
        if (principal != null && !request.mechanism().equals(mechanism)) {
            // As a broker: a session is renewed with the mechanism it began with.
            return refused(response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code()), "illegal_state", request.mechanism(),
                    "re-authentication with " + request.mechanism() + " of a session begun with " + mechanism);
        }
        mechanism = request.mechanism();
        exchange = sasl.begin(mechanism, clientHost);
        return new Continue(response.setErrorCode(Errors.NONE.code()));
    }

    Step authenticate(ByteBuffer body, short version) {
        SaslAuthenticateRequestData request = new SaslAuthenticateRequestData(new ByteBufferAccessor(body.duplicate()), version);
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData().setAuthBytes(new byte[0]);
        if (exchange == null) {
            return refused(response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                            .setErrorMessage("SaslAuthenticate before SaslHandshake"), "illegal_state", mechanism,
                    "a SaslAuthenticate arrived without a SaslHandshake before it");
        }
        byte[] challenge;
        try {
            challenge = exchange.evaluate(request.authBytes());
        } catch (ClientSasl.Refused e) {
            exchange = null;
            return refused(response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage()),
                    e.cause(), mechanism, e.getMessage() + " (" + e.detail() + ")");
        }
        response.setErrorCode(Errors.NONE.code()).setAuthBytes(challenge == null ? new byte[0] : challenge);
        if (!exchange.complete()) {
            return new Continue(response);
        }
        String authenticatedAs = exchange.principal();
        boolean renewal = principal != null;
        if (renewal && !authenticatedAs.equals(principal)) {
            exchange = null;
            return refused(response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setAuthBytes(new byte[0])
                            .setErrorMessage("a session cannot change its principal: it was " + principal),
                    "principal_changed", mechanism, "re-authentication as " + authenticatedAs + " of a session of " + principal);
        }
        long lifetimeMillis = Math.min(sasl.maxSessionMillis() > 0 ? sasl.maxSessionMillis() : Long.MAX_VALUE,
                exchange.credentialLifetimeMillis());
        exchange = null;
        principal = authenticatedAs;
        if (lifetimeMillis == Long.MAX_VALUE) {
            sessionEndsNanos = Long.MAX_VALUE;
        } else {
            // Told to the client from v1 on, so that it authenticates again in time (KIP-368).
            response.setSessionLifetimeMs(lifetimeMillis);
            sessionEndsNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
        }
        return new Authenticated(response, principal, mechanism, renewal);
    }

    private static Refused refused(ApiMessage response, String cause, String mechanism, String reason) {
        return new Refused(response, cause, mechanism == null ? "none" : mechanism, reason);
    }
}
