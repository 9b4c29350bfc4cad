package dev.switchboard.failover.recovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an application did before a switch, and so must do again before it counts as back. */
public enum Role {
    /** It had a produce request succeed on every partition. */
    @JsonProperty("producer") PRODUCER,
    /** It had a fetch request succeed on every partition it named. */
    @JsonProperty("consumer") CONSUMER,
    /** It had a transaction commit succeed (EndTxn with commit). */
    @JsonProperty("transactional") TRANSACTIONAL
}
