package dev.switchboard.datapath;

import io.netty.channel.ChannelPipeline;

/**
 * Adds byte-level handlers to each new client pipeline, by the stage names in {@link ClientPipeline}: what must see
 * the raw bytes, such as TLS termination or a test that scans every byte sent to clients. Features that act on
 * Kafka requests and responses are interceptors ({@code dev.switchboard.intercept}) instead.
 */
@FunctionalInterface
public interface PipelineExtension {

    void extend(ChannelPipeline pipeline, Listener listener);
}
