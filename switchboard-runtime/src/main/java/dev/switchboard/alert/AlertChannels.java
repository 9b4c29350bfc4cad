package dev.switchboard.alert;

import java.util.Optional;

import dev.switchboard.config.AlertConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every alert goes to the log and the metrics, and to the webhook when one is configured. */
public final class AlertChannels implements Alerts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertChannels.class);

    private final MeterRegistry registry;
    private final Optional<Webhook> webhook;

    public AlertChannels(AlertConfig config, MeterRegistry registry) {
        this.registry = registry;
        this.webhook = Optional.ofNullable(config.webhook()).map(url -> new Webhook(config, registry));
    }

    @Override
    public void fire(Alert alert) {
        if (alert.severity() == Alert.Severity.INFO) {
            LOG.info("Alert type={} cluster={} summary=\"{}\" evidence={}", alert.type(), alert.cluster(), alert.summary(),
                    alert.evidence());
        } else {
            LOG.warn("Alert type={} severity={} cluster={} summary=\"{}\" evidence={}", alert.type(), alert.severity(),
                    alert.cluster(), alert.summary(), alert.evidence());
        }
        Counter.builder("switchboard.alerts").description("Alerts raised, by type").tag("type", alert.type())
                .register(registry).increment();
        webhook.ifPresent(w -> w.post(alert));
    }

    @Override
    public void close() {
        webhook.ifPresent(Webhook::close);
    }
}
