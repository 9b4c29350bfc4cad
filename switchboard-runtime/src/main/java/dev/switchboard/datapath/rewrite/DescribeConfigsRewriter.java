package dev.switchboard.datapath.rewrite;

import java.util.Set;

import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * DescribeConfigs: broker settings whose values are broker and controller addresses are shown as sensitive,
 * with no value, the way brokers show passwords. Clients learn that the setting exists, not where brokers are.
 */
public final class DescribeConfigsRewriter implements ResponseRewriter<DescribeConfigsResponseData> {

    static final Set<String> ADDRESS_CONFIGS = Set.of("listeners", "advertised.listeners", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers");

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public boolean rewrite(DescribeConfigsResponseData response, short version, RewriteContext context) {
        boolean changed = false;
        for (DescribeConfigsResult result : response.results()) {
            for (DescribeConfigsResourceResult config : result.configs()) {
                if (ADDRESS_CONFIGS.contains(config.name()) || config.name().startsWith("listener.name.")
                        && config.name().endsWith(".advertised.listeners")) {
                    config.setValue(null).setIsSensitive(true);
                    for (DescribeConfigsSynonym synonym : config.synonyms()) {
                        synonym.setValue(null);
                    }
                    changed = true;
                }
            }
        }
        return changed;
    }
}
