package dev.switchboard.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Every metric the gateway publishes. Per-API meters are created on first use and then found by array index,
 * so recording a request costs no lookup and no allocation.
 */
public final class GatewayMetrics {

    /** Latency buckets: fine below a millisecond, where the gateway's own cost lives. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final PrometheusMeterRegistry registry;
    private final AtomicReferenceArray<ApiMeters> apiMeters = new AtomicReferenceArray<>(Short.MAX_VALUE);
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Map<String, Timer> upstreamProduceLatency = new ConcurrentHashMap<>();

    public GatewayMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("switchboard.connections.open", openConnections, AtomicInteger::get)
                .description("Client connections open now").register(registry);
        // The gateway's own footprint: what capacity planning and the benchmark read.
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened(String listener) {
        openConnections.incrementAndGet();
        Counter.builder("switchboard.connections.opened").description("Client connections accepted")
                .tag("listener", listener).register(registry).increment();
    }

    public void connectionClosed(String cause) {
        openConnections.decrementAndGet();
        Counter.builder("switchboard.connections.closed").description("Client connections closed, by cause")
                .tag("cause", cause).register(registry).increment();
    }

    /** A connection that went on to the new active cluster at a switch instead of closing. */
    public void connectionMoved() {
        Counter.builder("switchboard.connections.moved").description("Client connections moved to the new active cluster at a switch")
                .register(registry).increment();
    }

    public void requestReceived(ApiKeys api, int bytes) {
        ApiMeters meters = meters(api);
        meters.requests.increment();
        meters.bytesIn.increment(bytes);
    }

    /**
     * @param totalNanos   from the request's arrival to the response's hand-off to the client
     * @param gatewayNanos the part of that spent in the gateway rather than waiting for the broker
     */
    public void responseSent(ApiKeys api, int bytes, long totalNanos, long gatewayNanos) {
        ApiMeters meters = meters(api);
        meters.bytesOut.increment(bytes);
        meters.totalLatency.record(totalNanos, TimeUnit.NANOSECONDS);
        meters.gatewayLatency.record(gatewayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A cluster's broker began to answer a Produce request {@code nanos} after the gateway forwarded it: the broker's
     * time alone, without what the gateway or its interceptors (chaos latency included) added before or after.
     */
    public void upstreamProduceAnswered(String cluster, long nanos) {
        upstreamProduceLatency(cluster).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The brokers' produce latency on {@code cluster}, as {@link #upstreamProduceAnswered} records it. */
    public Timer upstreamProduceLatency(String cluster) {
        Timer timer = upstreamProduceLatency.get(cluster);
        return timer != null ? timer : upstreamProduceLatency.computeIfAbsent(cluster, name -> Timer.builder("switchboard.upstream.produce.latency")
                .description("Time from forwarding a Produce request to its response arriving from the broker")
                .tag("cluster", name).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }

    /** A response the gateway changed: broker addresses rewritten, versions cut down. */
    public void responseRewritten(ApiKeys api) {
        Counter.builder("switchboard.responses.rewritten").description("Responses the gateway rewrote, by API")
                .tag("api", api.name).register(registry).increment();
    }

    /** A request that got no response: its connection closed first, or the gateway refused it. */
    public void requestFailed(ApiKeys api, String cause) {
        Counter.builder("switchboard.request.errors").description("Requests that got no response from the gateway, by cause")
                .tag("api", api.name).tag("cause", cause).register(registry).increment();
    }

    /** An interceptor did something other than forward: answered, delayed, dropped, closed. */
    public void interceptorAction(String interceptor, String action) {
        Counter.builder("switchboard.interceptor.actions").description("What interceptors did other than forward, by interceptor and action")
                .tag("interceptor", interceptor).tag("action", action).register(registry).increment();
    }

    /** An interceptor threw, and its connection was closed. */
    public void interceptorFailed(String interceptor) {
        Counter.builder("switchboard.interceptor.failures").description("Interceptors that threw, closing their connection")
                .tag("interceptor", interceptor).register(registry).increment();
    }

    /** An upstream connection opened for a client connection: what the brokers see of the gateway's clients. */
    public void upstreamConnectionOpened(String cluster) {
        Counter.builder("switchboard.upstream.connections.opened").description("Upstream connections opened to serve client connections")
                .tag("cluster", cluster).register(registry).increment();
    }

    /** A client authenticated to the gateway, or renewed its session (KIP-368). */
    public void clientAuthenticated(String mechanism, boolean renewal) {
        Counter.builder("switchboard.client.authentications").description("Client SASL authentications that succeeded, by mechanism")
                .tag("mechanism", mechanism).tag("renewal", String.valueOf(renewal)).register(registry).increment();
    }

    /**
     * A client's authentication failed: {@code cause} says why ({@code unknown_user}, {@code wrong_password},
     * {@code unsupported_mechanism}, {@code not_authenticated} for a request before any SASL, ...).
     */
    public void clientAuthenticationFailed(String mechanism, String cause) {
        Counter.builder("switchboard.client.authentication.failures").description("Client SASL authentications refused, by mechanism and cause")
                .tag("mechanism", mechanism).tag("cause", cause).register(registry).increment();
    }

    /** A topic id not kept, because the names kept for one cluster reached their bound. */
    public void topicNameDropped(String cluster) {
        Counter.builder("switchboard.topic.names.dropped").description("Topic ids not kept: the bound on names per cluster was reached")
                .tag("cluster", cluster).register(registry).increment();
    }

    private ApiMeters meters(ApiKeys api) {
        ApiMeters meters = apiMeters.get(api.id);
        if (meters == null) {
            apiMeters.compareAndSet(api.id, null, new ApiMeters(registry, api.name));
            meters = apiMeters.get(api.id);
        }
        return meters;
    }

    private static final class ApiMeters {
        final Counter requests;
        final Counter bytesIn;
        final Counter bytesOut;
        final Timer totalLatency;
        final Timer gatewayLatency;

        ApiMeters(MeterRegistry registry, String api) {
            // Micrometer returns the existing meter when two threads race to register the same one.
            requests = Counter.builder("switchboard.requests").description("Requests received from clients")
                    .tag("api", api).register(registry);
            bytesIn = Counter.builder("switchboard.client.received").baseUnit("bytes")
                    .description("Request bytes received from clients").tag("api", api).register(registry);
            bytesOut = Counter.builder("switchboard.client.sent").baseUnit("bytes")
                    .description("Response bytes sent to clients").tag("api", api).register(registry);
            totalLatency = Timer.builder("switchboard.request.latency")
                    .description("Time from a request's arrival to its response leaving, broker time included")
                    .tag("api", api).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            gatewayLatency = Timer.builder("switchboard.gateway.latency")
                    .description("The gateway's own share of request latency, broker time excluded")
                    .tag("api", api).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        }
    }
}
