package dev.switchboard.support;

import java.time.Duration;
import java.util.List;

/** Waiting for running clients to get on: what a test checks once a switch returned, to show they work where they are. */
public final class Progress {

    private Progress() {
    }

    /**
     * Waits until every producer had {@code perProducer} records acknowledged since {@code sinceMillis}, and the
     * readers together read as many per producer since.
     */
    public static void await(List<SequencedProducer> producers, List<GroupMember> readers, long sinceMillis, int perProducer,
                             Duration timeout, String where) {
        Await.until(() -> producers.stream().allMatch(p -> p.acknowledgedSince(sinceMillis) >= perProducer)
                        && GroupMember.consumedBy(readers).stream().filter(c -> c.atMillis() >= sinceMillis).count()
                        >= (long) perProducer * producers.size(),
                timeout, "producers and readers to make progress " + where);
    }
}
