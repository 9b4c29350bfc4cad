package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: the cluster's id and every broker's id and address. Clients that ask for controllers
 * (KIP-919) are told the endpoint type is unsupported: the gateway fronts brokers only and has no ports for
 * controllers.
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
        DescribeClusterResponseData.DescribeClusterBrokerCollection brokers = new DescribeClusterResponseData.DescribeClusterBrokerCollection();
        for (DescribeClusterResponseData.DescribeClusterBroker broker : response.brokers()) {
            DescribeClusterResponseData.DescribeClusterBroker rewritten = broker.duplicate();
            NodeEndpoints.rewrite(context, broker.brokerId(), broker.host(), broker.port(), rewritten::setBrokerId,
                    rewritten::setHost, rewritten::setPort);
            brokers.add(rewritten);
        }
        response.setBrokers(brokers);
        NodeEndpoints.translate(context, response.controllerId(), response::setControllerId);
        if (response.clusterId() != null) {
            response.setClusterId(context.clusterId());
        }
        return true;
    }
}
