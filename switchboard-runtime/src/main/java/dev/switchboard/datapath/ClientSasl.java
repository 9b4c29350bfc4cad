package dev.switchboard.datapath;

import java.util.List;

/**
 * How clients authenticate to the gateway with SASL, when the listener terminates it: the mechanisms offered and one
 * exchange per attempt. The Kafka protocol around it (SaslHandshake, SaslAuthenticate, their errors, re-authentication)
 * is the data path's; what a credential is, and whether it holds, is the implementer's.
 */
public interface ClientSasl {

    /** The mechanisms clients may choose, in the order the gateway prefers them. */
    List<String> mechanisms();

    /**
     * KIP-368's {@code connections.max.reauth.ms}: how long an authenticated session lasts before the client must
     * authenticate again on the same connection, or 0 for as long as the connection lives.
     */
    long maxSessionMillis();

    /** Whether a client that sends no SaslHandshake is served as {@link #ANONYMOUS} instead of closed. */
    boolean servesAnonymous();

    /** The principal of a client that did not authenticate, as Kafka names it. */
    String ANONYMOUS = "User:ANONYMOUS";

    /** Starts one client's exchange with {@code mechanism}, one of {@link #mechanisms()}. */
    Exchange begin(String mechanism, String clientHost);

    /** One authentication attempt: the rounds of one mechanism. Confined to the connection's event loop. */
    interface Exchange {

        /**
         * One round: what the client sent, and what goes back. Throws {@link Refused} when the credentials do not
         * hold or the client's bytes make no sense for the mechanism.
         */
        byte[] evaluate(byte[] fromClient) throws Refused;

        boolean complete();

        /** The principal, as Kafka writes it ({@code User:alice}); once {@link #complete()}. */
        String principal();

        /**
         * How long the credential itself stays valid from now (a token's expiry), or {@link Long#MAX_VALUE}: the
         * session ends at this or {@link #maxSessionMillis()}, whichever comes first.
         */
        default long credentialLifetimeMillis() {
            return Long.MAX_VALUE;
        }
    }

    /**
     * An attempt that failed. {@code cause} is the label counted and logged ({@code unknown_user},
     * {@code wrong_password}, {@code bad_token}, {@code malformed}); {@code getMessage()} is what the client is told.
     */
    final class Refused extends Exception {

        private final String cause;
        private final String detail;

        /** {@code detail} is for the gateway's log only: what a client must not learn, such as whether a user exists. */
        public Refused(String cause, String message, String detail) {
            super(message);
            this.cause = cause;
            this.detail = detail;
        }

        public String cause() {
            return cause;
        }

        public String detail() {
            return detail;
        }
    }
}
