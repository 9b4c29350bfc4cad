package dev.switchboard.datapath;

import java.time.Instant;

/** A client connection as status reports it. */
public record ConnectionInfo(String clientId, String remoteAddress, String listener, String cluster, String upstream,
                             String state, Instant openedAt, long requests) {
}
