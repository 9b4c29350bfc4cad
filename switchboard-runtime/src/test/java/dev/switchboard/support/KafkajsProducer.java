package dev.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kafkajs 2.2.4's idempotent producer in a node process, sending {@code <name>:<n>} one record at a time until told
 * to stop; what it printed per send, and when the test read it.
 */
public final class KafkajsProducer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkajsProducer.class);

    private final Process process;
    /** Acknowledged value to when the test read its acknowledgement, epoch millis. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    /** Lines that are neither an acknowledgement nor a failed send: a crash of the script. */
    private final List<String> fatal = new CopyOnWriteArrayList<>();
    private final Thread reader;

    public KafkajsProducer(Path kafkajs, String bootstrap, String topic, String name) throws IOException {
        process = new ProcessBuilder("node", "idempotent-producer.js", bootstrap, topic, name).directory(kafkajs.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        reader = new Thread(this::read, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** kafkajs from npm, installed once into the build directory, with the producer script beside it. */
    public static Path install() throws Exception {
        Path dir = Path.of("target", "kafkajs-2.2.4").toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/kafkajs"))) {
            Files.createDirectories(dir);
            Process npm = new ProcessBuilder("npm", "install", "--no-save", "--silent", "kafkajs@2.2.4").directory(dir.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(5, TimeUnit.MINUTES) && npm.exitValue() == 0).as("npm install kafkajs@2.2.4: %s", output).isTrue();
        }
        try (InputStream script = KafkajsProducer.class.getResourceAsStream("/kafkajs/idempotent-producer.js")) {
            Files.write(dir.resolve("idempotent-producer.js"), script.readAllBytes());
        }
        return dir;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] parts = line.split(" ", 3);
                if (parts[0].equals("ok")) {
                    acknowledged.put(parts[1], System.currentTimeMillis());
                } else if (parts[0].equals("fail")) {
                    failures.put(parts[1], line);
                } else {
                    fatal.add(line);
                }
            }
        } catch (IOException e) {
            LOG.debug("kafkajs output ended: {}", e.toString());
        }
    }

    public Set<String> acknowledged() {
        return Set.copyOf(acknowledged.keySet());
    }

    /** Acknowledged value to when the test read its acknowledgement, epoch millis. */
    public Map<String, Long> acknowledgedAt() {
        return Map.copyOf(acknowledged);
    }

    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    /** What the script printed when the producer itself failed, and it exited. */
    public List<String> fatal() {
        return List.copyOf(fatal);
    }

    /**
     * How many sends were answered so far. The script sends one record at a time, so every value numbered above this
     * was not yet sent, and the one numbered this is in flight.
     */
    public int answered() {
        return acknowledged.size() + failures.size();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public void stop() throws InterruptedException {
        if (process.isAlive()) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                LOG.debug("kafkajs stdin: {}", e.toString());
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }
}
