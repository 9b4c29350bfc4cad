package dev.switchboard.datapath;

import java.time.Duration;

import dev.switchboard.intercept.ConnectionContext;

/**
 * Whether a client connection may have an upstream connection: asked once per connection, before it opens one, when
 * who the client is (client id, principal) is known. A storm of new connections is so held or refused at the gateway
 * and never reaches a broker.
 */
public interface ConnectionAdmission {

    ConnectionAdmission ALWAYS = new ConnectionAdmission() {
        @Override
        public Decision admit(ConnectionContext connection) {
            return ADMIT;
        }

        @Override
        public void closed(ConnectionContext connection) {
        }
    };

    Decision ADMIT = new Admit();

    /** On the connection's event loop; must not block. */
    Decision admit(ConnectionContext connection);

    /** An admitted connection closed. */
    void closed(ConnectionContext connection);

    sealed interface Decision permits Admit, Wait, Refuse {
    }

    record Admit() implements Decision {
    }

    /**
     * Admitted, from {@code delay} on: the client waits for its first answer meanwhile, as a broker throttles new
     * connections by delaying them (KIP-612).
     */
    record Wait(Duration delay) implements Decision {
    }

    /** Close the connection; {@code cause} is the label counted. */
    record Refuse(String cause, String reason) implements Decision {
    }
}
