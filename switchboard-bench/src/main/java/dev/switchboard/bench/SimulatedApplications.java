package dev.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * N producers and M consumer-group members, each a Kafka client of its own with its own client id, all through
 * one bootstrap address. Producers send {@code <producer>:<sequence>} at a fixed rate; the ledger records which
 * sequence numbers each producer had acknowledged and how often each was consumed, so lost and duplicated
 * records can be counted once the traffic stops.
 */
final class SimulatedApplications implements AutoCloseable {

    private static final String PRODUCER_PREFIX = "bench-producer-";
    private static final String CONSUMER_PREFIX = "bench-consumer-";

    /** Whether a simulated application's client id (or its thread's name) is a producer's. */
    static boolean isProducer(String clientId) {
        return clientId.startsWith(PRODUCER_PREFIX);
    }

    static String topic(int group) {
        return "failover-bench-" + group;
    }

    private final FailoverOptions options;
    private final String bootstrap;
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
    private final List<KafkaProducer<String, String>> producers = new ArrayList<>();
    private volatile boolean producing = true;
    private volatile boolean consuming = true;

    /** Acknowledged (producer, sequence) keys. */
    final Map<Long, Boolean> acknowledged = new ConcurrentHashMap<>();
    /** How often each (producer, sequence) key was consumed by its group. */
    final Map<Long, AtomicInteger> consumed = new ConcurrentHashMap<>();
    /** Extra copies consumed, by whether the first copy was consumed before the switch or also after it. */
    final AtomicLong duplicatesAcrossSwitch = new AtomicLong();
    final AtomicLong duplicatesAfterSwitch = new AtomicLong();
    final AtomicLong duplicatesBeforeSwitch = new AtomicLong();
    private final Map<Long, Long> firstConsumedAt = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> sendErrors = new ConcurrentHashMap<>();
    /** Sends handed to a producer; each is later acknowledged, failed, or still unanswered. */
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final Map<String, AtomicInteger> commitErrors = new ConcurrentHashMap<>();
    /** Per application (client id): when it was first seen working after the switch call, epoch millis; 0 until then. */
    final Map<String, AtomicLong> backAt = new ConcurrentHashMap<>();
    final AtomicInteger assignedConsumers = new AtomicInteger();
    private volatile long switchedAt = Long.MAX_VALUE;

    SimulatedApplications(FailoverOptions options, String bootstrap) {
        this.options = options;
        this.bootstrap = bootstrap;
    }

    static long key(int producer, long sequence) {
        return ((long) producer << 40) | sequence;
    }

    void startConsumers() {
        for (int i = 0; i < options.consumers(); i++) {
            int group = i % options.groups();
            String clientId = CONSUMER_PREFIX + i;
            backAt.put(clientId, new AtomicLong());
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-group-" + group,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 256 * 1024,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024,
                    ConsumerConfig.RECEIVE_BUFFER_CONFIG, 64 * 1024),
                    new StringDeserializer(), new StringDeserializer());
            consumers.add(consumer);
            consumer.subscribe(List.of(topic(group)));
            start(clientId, () -> consume(clientId, consumer));
        }
    }

    void startProducers() {
        for (int i = 0; i < options.producers(); i++) {
            int id = i;
            String clientId = PRODUCER_PREFIX + i;
            backAt.put(clientId, new AtomicLong());
            KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.CLIENT_ID_CONFIG, clientId,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024,
                    ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024,
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
                    ProducerConfig.SEND_BUFFER_CONFIG, 64 * 1024),
                    new StringSerializer(), new StringSerializer());
            producers.add(producer);
            start(clientId, () -> produce(id, clientId, producer));
        }
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void produce(int id, String clientId, KafkaProducer<String, String> producer) {
        String topic = topic(id % options.groups());
        // Round robin over the partitions, so every member of the group has records to consume.
        int partitions = options.partitionsPerTopic();
        long periodNanos = 1_000_000_000L / options.recordsPerSecond();
        long next = System.nanoTime();
        AtomicLong back = backAt.get(clientId);
        for (long sequence = 0; producing; sequence++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next += periodNanos;
            long key = key(id, sequence);
            try {
                producer.send(new ProducerRecord<>(topic, (int) (sequence % partitions), clientId, id + ":" + sequence), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.put(key, Boolean.TRUE);
                        markBack(back);
                    } else {
                        failed.incrementAndGet();
                        sendErrors.computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                    }
                });
                sent.incrementAndGet();
            } catch (RuntimeException e) {
                sendErrors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    private void consume(String clientId, KafkaConsumer<String, String> consumer) {
        AtomicLong back = backAt.get(clientId);
        boolean assigned = false;
        try {
            while (consuming) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (!assigned && !consumer.assignment().isEmpty()) {
                    assigned = true;
                    assignedConsumers.incrementAndGet();
                }
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, String> record : records) {
                    String value = record.value();
                    int colon = value.indexOf(':');
                    long key = key(Integer.parseInt(value, 0, colon, 10), Long.parseLong(value, colon + 1, value.length(), 10));
                    long now = System.currentTimeMillis();
                    Long first = firstConsumedAt.putIfAbsent(key, now);
                    if (consumed.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        long switched = switchedAt;
                        long firstAt = first == null ? now : first;
                        (firstAt >= switched ? duplicatesAfterSwitch : now >= switched ? duplicatesAcrossSwitch
                                : duplicatesBeforeSwitch).incrementAndGet();
                    }
                }
                markBack(back);
                try {
                    consumer.commitSync(Duration.ofSeconds(10));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    commitErrors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                }
            }
        } catch (WakeupException e) {
            // stopping
        }
    }

    private void markBack(AtomicLong back) {
        long now = System.currentTimeMillis();
        if (now > switchedAt) {
            back.compareAndSet(0, now);
        }
    }

    /**
     * From now on, a success counts as the application being back: the moment the switch itself begins (for a
     * planned one, after the produce hold and catch-up, when the gateway moves clients).
     */
    void switchStarted(long epochMillis) {
        if (switchedAt == Long.MAX_VALUE) {
            switchedAt = epochMillis;
        }
    }

    boolean allBack() {
        return backAt.values().stream().allMatch(at -> at.get() != 0);
    }

    /**
     * Stops sending and waits up to {@code limit} for every send to be answered; returns the sends still
     * unanswered then.
     */
    long stopProducers(Duration limit) throws InterruptedException {
        producing = false;
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread thread : threads) {
            if (isProducer(thread.getName())) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
        while (unanswered() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return unanswered();
    }

    long unanswered() {
        return sent.get() - acknowledged.size() - failed.get();
    }

    long lost() {
        return acknowledged.keySet().stream().filter(key -> !consumed.containsKey(key)).count();
    }

    long duplicated() {
        return consumed.values().stream().mapToLong(count -> Math.max(0, count.get() - 1)).sum();
    }

    long consumedNotAcknowledged() {
        return consumed.keySet().stream().filter(key -> !acknowledged.containsKey(key)).count();
    }

    @Override
    public void close() throws InterruptedException {
        producing = false;
        consuming = false;
        consumers.forEach(KafkaConsumer::wakeup);
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        consumers.forEach(consumer -> consumer.close(Duration.ofSeconds(5)));
        // Sends still unanswered by now are abandoned, not waited for until delivery.timeout.ms.
        producers.forEach(producer -> producer.close(Duration.ZERO));
    }
}
