package dev.switchboard.producerids;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a virtual producer id is made: the real id a cluster issued, tagged with that cluster's place in the config.
 *
 * <pre>
 *   bit 63       0 (producer ids are never negative)
 *   bits 62..48  the issuing cluster's tag: its index in the configured cluster list
 *   bits 47..0   the real producer id that cluster issued
 * </pre>
 *
 * Why this and not a range shared through the switch-state topic: a cluster never issues one id twice, so an id tagged
 * with its cluster is unique across every gateway instance without any of them talking to another, and any instance
 * can tell where an id came from, even one it never saw issued. The first configured cluster's tag is 0, so in front
 * of it the virtual ids are the real ones, and a gateway that never switched rewrites nothing. A virtual id is never
 * taken for a real id of another cluster, because it only ever reaches the cluster that issued it as it is: on any
 * other cluster the gateway uses an id that cluster issued for it. Clusters issue ids from 0 upwards, one per
 * producer, so 2<sup>48</sup> is far out of reach; an id beyond it is passed on untagged, and logged.
 *
 * <p>Every instance must list the clusters in the same order, as it must for {@link dev.switchboard.cluster.VirtualNodes}.
 */
public final class VirtualProducerIds {

    static final int TAG_SHIFT = 48;
    static final long REAL_MASK = (1L << TAG_SHIFT) - 1;
    private static final int MAX_CLUSTERS = 1 << (63 - TAG_SHIFT);

    private final Map<String, Integer> tags = new HashMap<>();

    public VirtualProducerIds(List<String> clusters) {
        if (clusters.size() >= MAX_CLUSTERS) {
            throw new IllegalArgumentException("at most " + (MAX_CLUSTERS - 1) + " clusters, got " + clusters.size());
        }
        for (int i = 0; i < clusters.size(); i++) {
            tags.put(clusters.get(i), i);
        }
    }

    /** The tag of a configured cluster. */
    public int tag(String cluster) {
        Integer tag = tags.get(cluster);
        if (tag == null) {
            throw new IllegalArgumentException("unknown cluster '" + cluster + "'; clusters are " + tags.keySet());
        }
        return tag;
    }

    /** The virtual id of a real id issued by the cluster with this tag; an id too big to tag stays as it is. */
    public static long virtualId(int tag, long realId) {
        return realId < 0 || realId > REAL_MASK ? realId : ((long) tag << TAG_SHIFT) | realId;
    }

    /** The tag of the cluster that issued this virtual id. */
    public static int issuer(long virtualId) {
        return (int) (virtualId >>> TAG_SHIFT);
    }

    /** The real id, on the cluster that issued it, of a virtual id. */
    public static long realIdAtIssuer(long virtualId) {
        return virtualId & REAL_MASK;
    }
}
