package dev.switchboard.datapath;

import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;

/**
 * The API versions one client may use: what the gateway understands until the client has been sent an
 * ApiVersions response, and exactly what that response said after it.
 */
final class NegotiatedVersions {

    private short[] min;
    private short[] max;

    boolean allows(int apiKey, short version) {
        if (min == null) {
            return GatewayApis.forwards(apiKey) && version >= GatewayApis.oldestVersion(apiKey)
                    && version <= GatewayApis.latestVersion(apiKey);
        }
        return apiKey < min.length && version >= min[apiKey] && version <= max[apiKey];
    }

    String describe(int apiKey) {
        if (min == null) {
            return GatewayApis.oldestVersion(apiKey) + ".." + GatewayApis.latestVersion(apiKey) + " (gateway)";
        }
        return apiKey < min.length && max[apiKey] >= 0 ? min[apiKey] + ".." + max[apiKey] + " (negotiated)" : "none (negotiated)";
    }

    void negotiated(List<ApiVersion> versions) {
        int size = versions.stream().mapToInt(ApiVersion::apiKey).max().orElse(0) + 1;
        short[] newMin = new short[size];
        short[] newMax = new short[size];
        Arrays.fill(newMax, (short) -1);
        for (ApiVersion version : versions) {
            newMin[version.apiKey()] = version.minVersion();
            newMax[version.apiKey()] = version.maxVersion();
        }
        min = newMin;
        max = newMax;
    }
}
