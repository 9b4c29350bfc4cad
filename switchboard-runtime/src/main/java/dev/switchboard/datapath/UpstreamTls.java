package dev.switchboard.datapath;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import dev.switchboard.config.HostPort;
import dev.switchboard.config.TlsConfig;

/** TLS towards one upstream cluster: one context, built once, and a handler from it per connection. */
final class UpstreamTls {

    private final SslContext context;

    UpstreamTls(String clusterName, TlsConfig config) {
        try {
            // A null trust manager factory means the JDK's default trust.
            context = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(config.trustManagers())
                    .keyManager(config.keyManagers())
                    .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS towards cluster " + clusterName + ": " + e.getMessage(), e);
        }
    }

    /** The target host is both the SNI name and the name the broker's certificate must carry. */
    SslHandler newHandler(ByteBufAllocator allocator, HostPort target) {
        return context.newHandler(allocator, target.host(), target.port());
    }
}
