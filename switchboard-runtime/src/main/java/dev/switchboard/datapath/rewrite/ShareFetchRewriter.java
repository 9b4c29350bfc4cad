package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ShareFetch (KIP-932): new leaders' addresses, as in Fetch. */
public final class ShareFetchRewriter implements ResponseRewriter<ShareFetchResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public boolean rewrite(ShareFetchResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (ShareFetchResponseData.NodeEndpoint node : response.nodeEndpoints()) {
            changed |= NodeEndpoints.rewrite(context, node.nodeId(), node.host(), node.port(), node::setHost, node::setPort);
        }
        return changed;
    }
}
