package dev.switchboard.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer group member that reads from its own thread and commits synchronously after each poll that
 * returned records, as an at-least-once application does. One consumer for the whole test, never restarted.
 * It keeps every value it read with when it read it, and counts the assignments it was given.
 */
public final class GroupMember implements AutoCloseable {

    /**
     * Session settings for tests that switch: a member the gateway moved away stays in the old cluster's group until
     * its session times out, and MirrorMaker 2 writes offsets only to groups without members.
     */
    public static final Map<String, Object> SHORT_SESSIONS = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2000);

    /** One record as the application saw it: by whom, from where, when. */
    public record Consumed(String value, long atMillis, String clientId, int partition, long offset) {
    }

    private final String clientId;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final List<Consumed> consumed = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> commitErrors = new ConcurrentHashMap<>();
    private final AtomicInteger assignments = new AtomicInteger();
    private volatile int generation = -1;
    private volatile boolean running = true;

    /** {@code overrides}: consumer settings over the defaults here, e.g. a shorter session timeout. */
    public GroupMember(String clientId, String group, String topic, Map<String, Object> clientProperties,
                       Map<String, Object> overrides) {
        this.clientId = clientId;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(overrides);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assignments.incrementAndGet();
            }
        });
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                generation = consumer.groupMetadata().generationId();
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, String> record : records) {
                    consumed.add(new Consumed(record.value(), now, clientId, record.partition(), record.offset()));
                }
                try {
                    consumer.commitSync(Duration.ofSeconds(30));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The records stay read; their offsets are committed by a later commit or read again.
                    commitErrors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    public String clientId() {
        return clientId;
    }

    public List<Consumed> consumed() {
        synchronized (consumed) {
            return List.copyOf(consumed);
        }
    }

    /** Everything the members read, together. */
    public static List<Consumed> consumedBy(List<GroupMember> members) {
        List<Consumed> all = new ArrayList<>();
        members.forEach(member -> all.addAll(member.consumed()));
        return all;
    }

    /** The generation (classic) or member epoch (consumer protocol) as of the last poll; -1 before the first. */
    public int generation() {
        return generation;
    }

    /** How many times the group gave this member its partitions: once per rebalance it took part in. */
    public int assignments() {
        return assignments.get();
    }

    /** Commit failures by exception type; an application would have seen each of these. */
    public Map<String, Integer> commitErrors() {
        Map<String, Integer> counts = new TreeMap<>();
        commitErrors.forEach((type, count) -> counts.put(type, count.get()));
        return counts;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(30_000);
        consumer.close(Duration.ofSeconds(5));
    }
}
