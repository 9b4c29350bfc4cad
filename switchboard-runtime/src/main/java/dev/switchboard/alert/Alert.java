package dev.switchboard.alert;

import java.time.Instant;
import java.util.List;

/**
 * Something people must know about, as the webhook receives it.
 *
 * @param type     what happened, dotted: {@code health.down}, {@code auto-failover.armed}, …
 * @param severity how urgent it is
 * @param cluster  the cluster it is about
 * @param summary  one sentence for a pager or a chat channel
 * @param evidence what it was judged on, one finding per entry; empty when there is nothing more to say
 * @param at       when it happened
 * @param instance the gateway instance that raised it (several instances may raise the same one)
 */
public record Alert(String type, Severity severity, String cluster, String summary, List<String> evidence, Instant at,
                    String instance) {

    public enum Severity { INFO, WARNING, CRITICAL }

    public Alert {
        evidence = List.copyOf(evidence);
    }
}
