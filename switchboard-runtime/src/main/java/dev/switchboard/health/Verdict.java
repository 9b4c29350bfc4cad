package dev.switchboard.health;

import java.time.Instant;
import java.util.List;

/**
 * The active cluster's health, as of the last check, and why.
 *
 * @param cluster            the cluster judged: the active one
 * @param health             the worst of the findings; healthy when there is none
 * @param since              when the cluster was first judged this way without a break
 * @param checkedAt          when the last check finished; null before the first
 * @param findings           what is wrong, one per check that failed
 * @param produceResponses   produce partition responses the brokers sent over the window
 * @param produceErrorRate   the share of them carrying an error; null while there were too few to judge
 * @param produceLatencyMillis the brokers' mean time to answer a produce request over the window; null while too few
 */
public record Verdict(String cluster, Health health, Instant since, Instant checkedAt, List<Finding> findings,
                      long produceResponses, Double produceErrorRate, Double produceLatencyMillis) {

    public Verdict {
        findings = List.copyOf(findings);
    }

    static Verdict unknown(String cluster, Instant now) {
        return new Verdict(cluster, Health.UNKNOWN, now, null, List.of(), 0, null, null);
    }

    /** The evidence, one sentence per finding. */
    public List<String> evidence() {
        return findings.stream().map(Finding::evidence).toList();
    }
}
