package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** Metadata: every broker's address. */
public final class MetadataRewriter implements ResponseRewriter<MetadataResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public boolean rewrite(MetadataResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (MetadataResponseData.MetadataResponseBroker broker : response.brokers()) {
            changed |= NodeEndpoints.rewrite(context, broker.nodeId(), broker.host(), broker.port(), broker::setHost, broker::setPort);
        }
        return changed;
    }
}
