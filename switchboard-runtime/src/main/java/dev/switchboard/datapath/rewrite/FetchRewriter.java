package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Fetch: the new leaders' addresses that KIP-951 sends along with leadership errors. Decoding slices the
 * record batches without copying them, and a response without endpoints, which is nearly every one, keeps its
 * original bytes.
 */
public final class FetchRewriter implements ResponseRewriter<FetchResponseData> {

    private static final short FIRST_VERSION_WITH_ENDPOINTS = 16;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public boolean appliesTo(short version) {
        return version >= FIRST_VERSION_WITH_ENDPOINTS;
    }

    @Override
    public boolean rewrite(FetchResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (FetchResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setHost, node::setPort);
        }
        return changed;
    }
}
