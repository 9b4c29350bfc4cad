package dev.switchboard.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link SharedClusters} for a cluster. Parameters with the same name and shape get the same running
 * cluster, across test classes, for the whole test run.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface KafkaCluster {

    /** Clusters are shared by name; two different shapes may not use one name. */
    String name() default "primary";

    /** Brokers with ids 0..brokers-1, unless {@link #nodeIds()} is given. */
    int brokers() default 1;

    /** Explicit, possibly non-contiguous node ids. */
    int[] nodeIds() default {};
}
