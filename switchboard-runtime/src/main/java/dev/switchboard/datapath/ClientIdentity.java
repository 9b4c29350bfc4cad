package dev.switchboard.datapath;

import io.netty.util.AttributeKey;

/** What a byte-level stage learned of who the client is, for the connection to take as its principal. */
public final class ClientIdentity {

    /** The principal a client certificate maps to, set by TLS termination once its handshake is done. */
    public static final AttributeKey<String> TLS_PRINCIPAL = AttributeKey.valueOf("switchboard.tls-principal");

    private ClientIdentity() {
    }
}
