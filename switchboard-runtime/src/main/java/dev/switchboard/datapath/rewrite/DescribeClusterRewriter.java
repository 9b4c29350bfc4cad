package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: every broker's address. Clients that ask for controllers (KIP-919) are told the endpoint
 * type is unsupported: the gateway fronts brokers only and has no ports for controllers.
 */
public final class DescribeClusterRewriter implements ResponseRewriter<DescribeClusterResponseData> {

    private static final byte BROKER_ENDPOINTS = 1;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public boolean rewrite(DescribeClusterResponseData response, short version, RewriteContext context) {
        if (response.endpointType() != BROKER_ENDPOINTS) {
            response.brokers().clear();
            response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("the gateway exposes broker endpoints only");
            return true;
        }
        boolean changed = false;
        for (DescribeClusterResponseData.DescribeClusterBroker broker : response.brokers()) {
            changed |= NodeEndpoints.rewrite(context, broker.brokerId(), broker.host(), broker.port(), broker::setHost, broker::setPort);
        }
        return changed;
    }
}
