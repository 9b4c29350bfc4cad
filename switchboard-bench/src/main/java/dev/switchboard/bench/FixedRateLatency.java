package dev.switchboard.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency at a fixed rate: one producer sends records stamped with {@link System#nanoTime()} on a
 * fixed schedule (open loop, so a slow response does not lower the load), and one consumer in the same JVM
 * reads them and records now minus stamp. Kafka's own EndToEndLatency is closed loop, one record at a time,
 * which measures something else. Prints {@code RESULT count p50_us p99_us p999_us max_us}.
 *
 * <p>Arguments: bootstrap topic recordsPerSecond seconds warmupSeconds recordSize
 */
public final class FixedRateLatency {

    private FixedRateLatency() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        double rate = Double.parseDouble(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int recordSize = Integer.parseInt(args[5]);

        long total = (long) (rate * seconds);
        long warmupRecords = (long) (rate * warmup);
        long[] latencies = new long[(int) (total - warmupRecords)];
        AtomicLong measured = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicBoolean consuming = new AtomicBoolean(true);

        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);

        Thread reader = new Thread(() -> {
            while (consuming.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    long sequence = readLong(record.value(), 8);
                    received.incrementAndGet();
                    if (sequence >= warmupRecords) {
                        latencies[(int) measured.getAndIncrement()] = now - readLong(record.value(), 0);
                    }
                }
            }
            consumer.close();
        }, "latency-consumer");
        reader.start();

        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
            long start = System.nanoTime();
            double intervalNanos = 1e9 / rate;
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * intervalNanos);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(wait, 100_000));
                }
                byte[] value = new byte[recordSize];
                writeLong(value, 8, i);
                writeLong(value, 0, System.nanoTime());
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        consuming.set(false);
        reader.join();
        if (received.get() < total) {
            throw new IllegalStateException("received " + received.get() + " of " + total + " records");
        }
        long[] sorted = Arrays.copyOf(latencies, (int) measured.get());
        Arrays.sort(sorted);
        System.out.printf("RESULT %d %d %d %d %d%n", sorted.length, percentileMicros(sorted, 0.50),
                percentileMicros(sorted, 0.99), percentileMicros(sorted, 0.999), sorted[sorted.length - 1] / 1000);
    }

    private static long percentileMicros(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1000;
    }

    private static void writeLong(byte[] bytes, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static long readLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    /** One run's percentiles, in microseconds. */
    record Result(long count, long p50, long p99, long p999, long max) {

        static Result run(String bootstrap, String topic, double rate, int seconds, int warmup, int recordSize) {
            try (ChildProcess jvm = ChildProcess.startJvm("latency", List.of("-Xms512m", "-Xmx1g"), FixedRateLatency.class.getName(),
                    List.of(bootstrap, topic, String.valueOf(rate), String.valueOf(seconds), String.valueOf(warmup),
                            String.valueOf(recordSize)))) {
                String line = jvm.awaitOutput(Duration.ofSeconds(seconds + 120L)).lines()
                        .filter(l -> l.startsWith("RESULT ")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no RESULT from FixedRateLatency"));
                String[] f = line.split(" ");
                return new Result(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                        Long.parseLong(f[5]));
            }
        }
    }
}
