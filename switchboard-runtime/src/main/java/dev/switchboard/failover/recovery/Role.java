package dev.switchboard.failover.recovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an application did before a switch, and so must do again before it counts as back. */
public enum Role {
    /** It had a produce request succeed. */
    @JsonProperty("producer") PRODUCER,
    /** It had a fetch request succeed. */
    @JsonProperty("consumer") CONSUMER
}
