package dev.switchboard.testkit;

import java.util.Arrays;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects {@link EmbeddedKafkaCluster} parameters annotated with {@link KafkaCluster}.
 *
 * <p>Clusters live in the root store, so every test class in the JVM shares them and they stop when the run
 * ends. Starting a broker costs seconds; sharing keeps the suite fast on two cores. Tests that share a cluster
 * use their own topic and group names.
 */
public final class SharedClusters implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedClusters.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaCluster.class && parameter.isAnnotated(KafkaCluster.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KafkaCluster spec = parameter.findAnnotation(KafkaCluster.class).orElseThrow();
        int[] nodeIds = spec.nodeIds().length > 0 ? spec.nodeIds() : range(spec.brokers());
        String shape = Arrays.toString(Arrays.stream(nodeIds).sorted().toArray());
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        RunningCluster running = store.getOrComputeIfAbsent(spec.name(),
                name -> new RunningCluster(shape, EmbeddedKafkaCluster.builder(name).nodeIds(nodeIds).start()),
                RunningCluster.class);
        if (!running.shape.equals(shape)) {
            throw new ParameterResolutionException("cluster '" + spec.name() + "' is already running with nodes "
                    + running.shape + " but " + parameter.getDeclaringExecutable() + " asks for " + shape
                    + "; give the other shape its own name");
        }
        return running.cluster;
    }

    private static int[] range(int count) {
        int[] ids = new int[count];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    @SuppressWarnings("deprecation") // CloseableResource is what JUnit 5.12 closes at the end of the run.
    private record RunningCluster(String shape, EmbeddedKafkaCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
