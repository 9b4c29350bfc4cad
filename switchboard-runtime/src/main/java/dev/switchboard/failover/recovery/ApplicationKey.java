package dev.switchboard.failover.recovery;

/**
 * What identifies one application to the gateway: its client id and the principal it authenticated as.
 *
 * @param clientId  the Kafka client id; a client that sends none is the application {@code ""}
 * @param principal the authenticated principal, e.g. {@code User:alice}; null while clients do not
 *                  authenticate to the gateway
 */
public record ApplicationKey(String clientId, String principal) {

    public ApplicationKey {
        clientId = clientId == null ? "" : clientId;
    }

    /** How reports name the application: the client id, and the principal when there is one. */
    public String displayName() {
        return principal == null ? clientId : clientId + " (" + principal + ")";
    }
}
