package dev.switchboard.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.config.AlertConfig;
import dev.switchboard.config.Durations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alerts as JSON to one URL, one at a time, from a bounded queue. An alert that finds the queue full is dropped;
 * one the receiver does not take (no answer within the timeout, or a status other than 2xx) is not sent again. Both
 * are counted, so a dashboard shows alerts that never arrived.
 */
final class Webhook implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final URI url;
    private final Duration timeout;
    private final BlockingQueue<Alert> queue;
    private final HttpClient http;
    private final Thread sender;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;

    Webhook(AlertConfig config, MeterRegistry registry) {
        this.url = URI.create(config.webhook().strip());
        this.timeout = Durations.parse(config.timeout());
        this.queue = new ArrayBlockingQueue<>(config.maxQueued());
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sent = counter(registry, "sent", "Alerts the webhook took");
        this.failed = counter(registry, "failed", "Alerts the webhook did not take: no answer in time, or not 2xx");
        this.dropped = counter(registry, "dropped", "Alerts not sent: the webhook's queue was full");
        this.sender = new Thread(this::sendLoop, "switchboard-alert-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    private static Counter counter(MeterRegistry registry, String outcome, String description) {
        return Counter.builder("switchboard.alerts.webhook").description(description).tag("outcome", outcome).register(registry);
    }

    void post(Alert alert) {
        if (!queue.offer(alert)) {
            dropped.increment();
            LOG.warn("Alert type={} not sent to the webhook: {} alerts already wait for it", alert.type(), queue.size());
        }
    }

    private void sendLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            Alert alert;
            try {
                alert = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(alert))).build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    sent.increment();
                } else {
                    failed.increment();
                    LOG.warn("Webhook {} answered alert type={} with status {}", url, alert.type(), status);
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                failed.increment();
                LOG.warn("Alert type={} not sent to webhook {}: {}", alert.type(), url, e.toString());
            }
        }
    }

    @Override
    public void close() {
        sender.interrupt();
    }
}
