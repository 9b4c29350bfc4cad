package dev.switchboard.datapath;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestUtils;

/** A request the gateway sends on its own behalf, not a client's: framed, with the gateway's client id. */
final class GatewayRequest {

    static final String CLIENT_ID = "switchboard";

    private GatewayRequest() {
    }

    static ByteBuf frame(ByteBufAllocator alloc, ApiKeys api, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId(CLIENT_ID);
        ByteBuffer encoded = RequestUtils.serialize(header, api.requestHeaderVersion(version), body, version);
        ByteBuf frame = alloc.buffer(KafkaFrameDecoder.SIZE_PREFIX + encoded.remaining());
        return frame.writeInt(encoded.remaining()).writeBytes(encoded);
    }
}
