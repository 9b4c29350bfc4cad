package dev.switchboard.datapath;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import dev.switchboard.cluster.UpstreamCluster;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

/**
 * The API versions each cluster serves, cut down to the gateway's: what a client is told before it has
 * authenticated, when nothing of its may reach a broker yet. Learned from every ApiVersions answer relayed from the
 * cluster, and asked by the gateway itself, on a connection of its own, while none has been.
 */
public final class ClusterApiVersions {

    private final Map<String, List<ApiVersion>> learned = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<List<ApiVersion>>> asking = new ConcurrentHashMap<>();

    void learned(String cluster, List<ApiVersion> versions) {
        learned.put(cluster, versions.stream().map(ApiVersion::duplicate).toList());
    }

    /** The cluster's versions, at once when known; else asked of its bootstrap broker, once for all who wait. */
    CompletableFuture<List<ApiVersion>> of(UpstreamCluster cluster, EventLoop loop, UpstreamConnector connector) {
        List<ApiVersion> known = learned.get(cluster.name());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return asking.computeIfAbsent(cluster.name(), name -> {
            CompletableFuture<List<ApiVersion>> answer = new CompletableFuture<>();
            connector.askApiVersions(loop, cluster, cluster.bootstrapTarget()).addListener(done -> {
                asking.remove(name);
                if (done.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<ApiVersion> versions = (List<ApiVersion>) done.getNow();
                    learned(name, versions);
                    answer.complete(learned.get(name));
                } else {
                    answer.completeExceptionally(done.cause());
                }
            });
            return answer;
        });
    }
}
