package dev.switchboard.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * librdkafka's idempotent producer: kcat -P with {@code enable.idempotence=true}, fed {@code <name>:<n>} every 20 ms
 * until told to stop, to one partition. kcat prints a delivery report per message at verbosity 3 without saying
 * which message it is; an idempotent producer reports one partition's messages in the order they were given, so the
 * n-th report is the n-th message's.
 */
public final class KcatProducer {

    private static final Logger LOG = LoggerFactory.getLogger(KcatProducer.class);

    private final Kcat.Running kcat;
    private final List<String> sent = new ArrayList<>();
    private final Thread feeder;
    private volatile boolean feeding = true;

    /**
     * @param exitOnAllBrokersDown whether kcat exits when librdkafka reports ALL_BROKERS_DOWN, as it does unless given
     *                             {@code -E}; the error is informational to librdkafka, which reconnects
     */
    public KcatProducer(String bootstrap, String topic, int partition, String name, boolean exitOnAllBrokersDown) throws IOException {
        List<String> args = new ArrayList<>(List.of("-P", "-t", topic, "-p", Integer.toString(partition), "-v", "-v",
                "-X", "enable.idempotence=true", "-X", "client.id=" + name, "-X", "linger.ms=5"));
        if (!exitOnAllBrokersDown) {
            args.add("-E");
        }
        kcat = Kcat.start(bootstrap, args.toArray(String[]::new));
        feeder = new Thread(() -> feed(name), name + "-input");
        feeder.setDaemon(true);
        feeder.start();
    }

    private void feed(String name) {
        OutputStream in = kcat.stdin();
        try {
            for (int n = 0; feeding; n++) {
                String value = name + ":" + n;
                in.write((value + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                synchronized (sent) {
                    sent.add(value);
                }
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException e) {
            LOG.warn("kcat stopped taking input: {}", e.toString());
        }
    }

    /** Every value given to kcat so far, in order. */
    public List<String> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** Delivered value to when the test read its delivery report, epoch millis. */
    public Map<String, Long> acknowledgedAt() {
        return reports().delivered();
    }

    /** Values whose delivery failed, to kcat's report of it. */
    public Map<String, String> failures() {
        return reports().failed();
    }

    private record Reports(Map<String, Long> delivered, Map<String, String> failed) {
    }

    private Reports reports() {
        List<String> values = sent();
        Map<String, Long> delivered = new HashMap<>();
        Map<String, String> failed = new HashMap<>();
        int next = 0;
        for (Kcat.Line line : kcat.timedErrors()) {
            if (line.text().contains("Message delivered to partition") && next < values.size()) {
                delivered.put(values.get(next++), line.atMillis());
            } else if (line.text().contains("Delivery failed") && next < values.size()) {
                failed.put(values.get(next++), line.text());
            }
        }
        return new Reports(delivered, failed);
    }

    public boolean alive() {
        return kcat.alive();
    }

    /** Everything kcat printed on stderr so far, delivery reports left out. */
    public List<String> notices() {
        return kcat.errors().stream().filter(line -> !line.contains("Message delivered to partition")).toList();
    }

    /** Stops feeding, lets kcat deliver what it has, and returns its exit code. */
    public int stop() throws IOException, InterruptedException {
        feeding = false;
        feeder.join(TimeUnit.SECONDS.toMillis(10));
        return kcat.finish();
    }

    /**
     * What kcat reported about its sends: a failed delivery, or an idempotence error (fatal, sequence, producer id
     * or epoch). Transport errors about its connections are not about its sends.
     */
    public List<String> errors() {
        return kcat.errors().stream().map(String::toLowerCase).filter(line -> line.contains("delivery failed")
                || line.contains("fatal") || line.contains("sequence") || line.contains("producer_id")
                || line.contains("producer id") || line.contains("epoch")).toList();
    }

    public void close() throws InterruptedException {
        feeding = false;
        kcat.close();
    }
}
