package dev.switchboard.failover.recovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where an application stood when the switch was requested, which decides whether the switch waits for it. */
public enum AtSwitch {
    /**
     * It had a connection open, or closed its last one within {@code failover.recovery.activeWindow} before the
     * request: it must come back, and only such applications count for the recovery time.
     */
    @JsonProperty("running") RUNNING,
    /** Known to the gateway, but idle for longer than the window: listed, not waited for. */
    @JsonProperty("notRunning") NOT_RUNNING,
    /** First seen after the switch started: listed, not waited for, and never called back. */
    @JsonProperty("new") NEW
}
