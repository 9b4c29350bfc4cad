package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * InitProducerId: never changed, only read, so the connection can tell the switch guard which producer ids the
 * active cluster issued. Those need no new epoch after a switch; ids from before it do.
 */
public final class InitProducerIdRewriter implements ResponseRewriter<InitProducerIdResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public boolean rewrite(InitProducerIdResponseData response, short version, RewriteContext context) {
        if (response.errorCode() == 0 && response.producerId() >= 0) {
            context.producerIdIssued(response.producerId(), response.producerEpoch());
        }
        return false;
    }
}
