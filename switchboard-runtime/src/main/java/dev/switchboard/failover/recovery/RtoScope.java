package dev.switchboard.failover.recovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which applications a recovery time was measured over. */
public enum RtoScope {
    /** The Wave 1 applications: the normal case. */
    @JsonProperty("wave1") WAVE1,
    /** Every application known when the switch started, because no Wave 1 pattern matched any of them. */
    @JsonProperty("allApplications") ALL_APPLICATIONS,
    /** No application was known when the switch started, so there is nothing to measure. */
    @JsonProperty("none") NONE
}
