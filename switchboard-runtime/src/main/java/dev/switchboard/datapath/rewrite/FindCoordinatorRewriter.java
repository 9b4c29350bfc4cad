package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** FindCoordinator: one coordinator up to v3, a batch of them from v4. */
public final class FindCoordinatorRewriter implements ResponseRewriter<FindCoordinatorResponseData> {

    private static final short FIRST_BATCHED_VERSION = 4;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public boolean rewrite(FindCoordinatorResponseData response, short version, RewriteContext context) {
        if (version < FIRST_BATCHED_VERSION) {
            return NodeEndpoints.rewrite(context, response.nodeId(), response.host(), response.port(),
                    response::setNodeId, response::setHost, response::setPort);
        }
        boolean changed = false;
        for (FindCoordinatorResponseData.Coordinator coordinator : response.coordinators()) {
            changed |= NodeEndpoints.rewrite(context, coordinator.nodeId(), coordinator.host(), coordinator.port(),
                    coordinator::setNodeId, coordinator::setHost, coordinator::setPort);
        }
        return changed;
    }
}
