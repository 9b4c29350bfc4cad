package dev.switchboard.datapath;

import java.time.Instant;

/**
 * A client connection as status reports it.
 *
 * @param principal    who the client authenticated as ({@code User:alice}, {@code User:ANONYMOUS}); null when the
 *                     listener does not authenticate clients, or before the client has
 * @param clientSlow   the client is not taking responses fast enough, so the gateway has stopped reading
 *                     from its broker connection
 * @param upstreamSlow the broker is not taking requests fast enough, so the gateway has stopped reading
 *                     from the client
 */
public record ConnectionInfo(String clientId, String principal, String remoteAddress, String listener, String cluster,
                             String upstream, String state, Instant openedAt, long requests, boolean clientSlow,
                             boolean upstreamSlow) {
}
