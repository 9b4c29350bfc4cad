package dev.switchboard.datapath.rewrite;

import java.util.Iterator;
import java.util.List;

import dev.switchboard.datapath.GatewayApis;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions: each API's range becomes the intersection of the broker's and the gateway's; APIs the gateway
 * does not forward, or whose ranges do not meet, are removed.
 */
public final class ApiVersionsRewriter implements ResponseRewriter<ApiVersionsResponseData> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public boolean rewrite(ApiVersionsResponseData response, short version, RewriteContext context) {
        if (response.errorCode() != Errors.NONE.code()) {
            return false;
        }
        cutDown(response);
        context.negotiated(List.copyOf(response.apiKeys()));
        return true;
    }

    /** Each API's range to the intersection of the broker's and the gateway's; APIs the gateway does not forward go. */
    public static void cutDown(ApiVersionsResponseData response) {
        Iterator<ApiVersion> apis = response.apiKeys().iterator();
        while (apis.hasNext()) {
            ApiVersion api = apis.next();
            if (!GatewayApis.forwards(api.apiKey())) {
                apis.remove();
                continue;
            }
            short min = (short) Math.max(api.minVersion(), GatewayApis.oldestVersion(api.apiKey()));
            short max = (short) Math.min(api.maxVersion(), GatewayApis.latestVersion(api.apiKey()));
            if (min > max) {
                apis.remove();
            } else {
                api.setMinVersion(min).setMaxVersion(max);
            }
        }
    }
}
