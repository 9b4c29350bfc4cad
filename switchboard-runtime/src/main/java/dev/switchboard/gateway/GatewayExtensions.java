package dev.switchboard.gateway;

import java.util.List;

import dev.switchboard.datapath.PipelineExtension;
import dev.switchboard.intercept.InterceptorFactory;

/**
 * What a gateway adds to its own data path: interceptors, which see requests and responses after the gateway's own
 * (in this order), and pipeline extensions, which see raw bytes.
 */
public record GatewayExtensions(List<InterceptorFactory> interceptors, List<PipelineExtension> pipeline) {

    public static final GatewayExtensions NONE = new GatewayExtensions(List.of(), List.of());

    public GatewayExtensions {
        interceptors = List.copyOf(interceptors);
        pipeline = List.copyOf(pipeline);
    }

    public static GatewayExtensions interceptors(InterceptorFactory... interceptors) {
        return new GatewayExtensions(List.of(interceptors), List.of());
    }
}
