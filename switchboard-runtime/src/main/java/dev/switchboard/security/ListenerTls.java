package dev.switchboard.security;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ListenerTlsConfig;
import dev.switchboard.config.StoreConfig;
import dev.switchboard.datapath.ClientIdentity;
import dev.switchboard.datapath.ClientPipeline;
import dev.switchboard.datapath.Listener;
import dev.switchboard.datapath.PipelineExtension;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the client listener: each new connection gets an SslHandler first in its pipeline, from the certificate
 * and trust loaded last. A client certificate, when shown, becomes the connection's principal by Kafka's
 * {@code ssl.principal.mapping.rules}; SASL over TLS outranks it, as on a broker.
 *
 * <p>The files are checked for change every {@code reloadCheckInterval}; a change is loaded without a restart, and
 * only new connections use it. A change that does not load is logged and counted, and the certificate in use stays.
 */
public final class ListenerTls implements PipelineExtension {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerTls.class);

    private final ListenerTlsConfig config;
    private final SslPrincipalMapper principals;
    private final MeterRegistry registry;
    private final AtomicReference<SslContext> context = new AtomicReference<>();
    private final Map<Path, Long> seen = new ConcurrentHashMap<>();

    /** Loads the certificate and trust now: a file that does not load is a config error at start-up. */
    public ListenerTls(ListenerTlsConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        try {
            this.principals = SslPrincipalMapper.fromRules(config.principalMappingRules());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("security.tls.principalMappingRules", e.getMessage());
        }
        context.set(load());
        remember();
    }

    @Override
    public void extend(ChannelPipeline pipeline, Listener listener) {
        SslHandler tls = context.get().newHandler(pipeline.channel().alloc());
        pipeline.addBefore(ClientPipeline.FRAME_DECODER, "tls", tls);
        // Completed before the first request is decrypted, so the connection has its principal by then.
        tls.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess()) {
                pipeline.channel().attr(ClientIdentity.TLS_PRINCIPAL).set(principal(tls.engine().getSession()));
            } else {
                Counter.builder("switchboard.client.tls.failures").description("Client TLS handshakes that failed")
                        .register(registry).increment();
            }
        });
    }

    /** {@code User:<mapped subject>} of the client's certificate, or {@code User:ANONYMOUS} when it showed none. */
    private String principal(SSLSession session) {
        try {
            X509Certificate certificate = (X509Certificate) session.getPeerCertificates()[0];
            return "User:" + principals.getName(certificate.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return "User:ANONYMOUS";
        } catch (IOException e) {
            LOG.warn("A client certificate's subject matches no principal mapping rule: {}", e.getMessage());
            return "User:ANONYMOUS";
        }
    }

    /** Loads the files again if any changed since; called every {@code reloadCheckInterval}. */
    public void reloadIfChanged() {
        if (files().stream().noneMatch(this::changed)) {
            return;
        }
        try {
            context.set(load());
            remember();
            count("loaded");
            LOG.info("Client listener TLS reloaded from {}", files());
        } catch (RuntimeException e) {
            remember(); // so that one bad change is reported once, not every check
            count("failed");
            LOG.error("Client listener TLS not reloaded, the certificate in use stays: {}", e.getMessage());
        }
    }

    private void count(String result) {
        Counter.builder("switchboard.client.tls.reloads").description("Reloads of the client listener's TLS files, by result")
                .tag("result", result).register(registry).increment();
    }

    private boolean changed(Path file) {
        return !Long.valueOf(stamp(file)).equals(seen.get(file));
    }

    private void remember() {
        for (Path file : files()) {
            seen.put(file, stamp(file));
        }
    }

    private static long stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (String file : new String[]{config.keyStore() == null ? null : config.keyStore().location(), config.certificateChain(),
                config.privateKey(), config.trustStore() == null ? null : config.trustStore().location(), config.trustCertificates()}) {
            if (file != null) {
                files.add(Path.of(file));
            }
        }
        return files;
    }

    private SslContext load() {
        try {
            SslContextBuilder builder = config.keyStore() != null ? SslContextBuilder.forServer(keyManagers(config.keyStore()))
                    : SslContextBuilder.forServer(new File(config.certificateChain()), new File(config.privateKey()),
                    config.privateKeyPassword());
            if (config.trustStore() != null) {
                builder.trustManager(trustManagers(config.trustStore()));
            } else if (config.trustCertificates() != null) {
                builder.trustManager(new File(config.trustCertificates()));
            }
            builder.clientAuth(switch (config.clientAuth()) {
                case "required" -> ClientAuth.REQUIRE;
                case "requested" -> ClientAuth.OPTIONAL;
                default -> ClientAuth.NONE;
            });
            return builder.build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException("security.tls", "cannot load the listener's certificate or trust: " + e.getMessage());
        }
    }

    private static KeyManagerFactory keyManagers(StoreConfig store) throws IOException, GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        String keyPassword = store.keyPassword() != null ? store.keyPassword() : store.password();
        factory.init(read(store), keyPassword == null ? null : keyPassword.toCharArray());
        return factory;
    }

    private static TrustManagerFactory trustManagers(StoreConfig store) throws IOException, GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(read(store));
        return factory;
    }

    private static KeyStore read(StoreConfig store) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(store.location()))) {
            KeyStore keyStore = KeyStore.getInstance(store.type());
            keyStore.load(in, store.password() == null ? null : store.password().toCharArray());
            return keyStore;
        }
    }
}
