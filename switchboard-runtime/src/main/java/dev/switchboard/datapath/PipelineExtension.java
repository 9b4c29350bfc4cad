package dev.switchboard.datapath;

import io.netty.channel.ChannelPipeline;

/**
 * Adds handlers to each new client pipeline, by the stage names in {@link ClientPipeline}. TLS and SASL
 * termination, fault injection and the like are extensions; a gateway without them does no work for them.
 */
@FunctionalInterface
public interface PipelineExtension {

    void extend(ChannelPipeline pipeline, Listener listener);
}
