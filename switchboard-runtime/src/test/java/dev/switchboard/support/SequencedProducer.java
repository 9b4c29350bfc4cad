package dev.switchboard.support;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An application that sends {@code <name>:<sequence>} to a topic at a steady rate from its own thread, through
 * one idempotent {@code acks=all} producer that lives as long as the test: it is never restarted, whatever
 * happens to the clusters. It keeps which sequence numbers were acknowledged and when, so a test can count every
 * record for loss and duplication.
 */
public final class SequencedProducer implements AutoCloseable {

    private final String name;
    private final String topic;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private final long periodNanos;
    /** Acknowledged value to when it was acknowledged, epoch millis. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;

    public SequencedProducer(String name, String topic, int recordsPerSecond, Map<String, Object> clientProperties) {
        this.name = name;
        this.topic = topic;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / recordsPerSecond;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.nanoTime();
        for (long sequence = 0; running; sequence++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += periodNanos;
            String value = name + ":" + sequence;
            sent.incrementAndGet();
            try {
                producer.send(new ProducerRecord<>(topic, value, value), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.put(value, System.currentTimeMillis());
                    } else {
                        failures.put(value, error.toString());
                    }
                });
            } catch (RuntimeException e) {
                failures.put(value, e.toString());
            }
        }
    }

    public String name() {
        return name;
    }

    /** Every value acknowledged so far. */
    public Set<String> acknowledged() {
        return Set.copyOf(acknowledged.keySet());
    }

    /** When {@code value} was acknowledged, epoch millis; null if it was not. */
    public Long acknowledgedAt(String value) {
        return acknowledged.get(value);
    }

    /** How many values were acknowledged at or after {@code epochMillis}. */
    public long acknowledgedSince(long epochMillis) {
        return acknowledged.values().stream().filter(at -> at >= epochMillis).count();
    }

    /** How many values were handed to the producer so far; they are numbered from 0, in order. */
    public long sent() {
        return sent.get();
    }

    /** Sends that failed, value to error; an application would see each of these. */
    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    /** Stops sending and waits until every send is acknowledged or failed. */
    public void stop(Duration timeout) throws InterruptedException {
        running = false;
        thread.join(timeout.toMillis());
        producer.flush();
        Await.until(() -> acknowledged.size() + failures.size() >= sent.get(), timeout, name + "'s sends to be answered");
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(5));
    }
}
