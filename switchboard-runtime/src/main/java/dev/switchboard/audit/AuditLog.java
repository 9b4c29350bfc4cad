package dev.switchboard.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only record of every admin action: one JSON line per {@link AuditEvent} in a file, a log line, and
 * the counter {@code switchboard.admin.actions} (tags {@code action}, {@code result}).
 *
 * <p>The file is opened in append mode for each event and the line written with one call, so it is never
 * truncated, several logs (or processes) can share it, and a rotated file is simply created again. An event
 * that cannot be written does not fail the admin action it records: it is logged, counted in {@code
 * switchboard.audit.write.failures}, and still counted as an action. A path that cannot be written at start-up
 * is an error naming it.
 */
public final class AuditLog {

    private final List<Consumer<AuditEvent>> sinks = new CopyOnWriteArrayList<>();

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path file;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter writeFailures;

    /**
     * @param file where the JSON lines go, created with its parent directories if missing; null keeps only the
     *             log and the metric
     * @throws UncheckedIOException naming {@code file} when it cannot be opened for appending
     */
    public AuditLog(Path file, MeterRegistry registry, Clock clock) {
        this.file = file;
        this.registry = registry;
        this.clock = clock;
        this.writeFailures = Counter.builder("switchboard.audit.write.failures")
                .description("Audit events that could not be written to the audit file").register(registry);
        if (file != null) {
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                // Open without writing: fails now, at start-up, if the file will not take lines later.
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new UncheckedIOException("audit log " + file + " cannot be written: " + e, e);
            }
        }
    }

    /** Records an admin action that happened now. */
    public AuditEvent record(String actor, String action, Map<String, Object> request, String result, String message) {
        AuditEvent event = new AuditEvent(clock.instant(), actor, action, request, result, message);
        record(event);
        return event;
    }

    /** Somewhere else every event goes too, after the log and the file: the clusters' audit topic. */
    public void alsoTo(Consumer<AuditEvent> sink) {
        sinks.add(sink);
    }

    public void record(AuditEvent event) {
        Counter.builder("switchboard.admin.actions").description("Admin actions, by action and result")
                .tag("action", event.action()).tag("result", event.result()).register(registry).increment();
        LOG.info("Admin action actor={} action={} result={} message={} request={}", event.actor(), event.action(),
                event.result(), event.message(), event.request());
        if (file != null) {
            append(event);
        }
        for (Consumer<AuditEvent> sink : sinks) {
            try {
                sink.accept(event);
            } catch (RuntimeException e) {
                writeFailed(event, e.toString());
            }
        }
    }

    private void append(AuditEvent event) {
        try {
            byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
            write(line);
        } catch (JsonProcessingException e) {
            writeFailed(event, "cannot encode event: " + e.getOriginalMessage());
        } catch (IOException e) {
            writeFailed(event, e.toString());
        }
    }

    // Synchronized so two threads' lines never interleave, even where a large line needs several writes.
    private synchronized void write(byte[] line) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            // An audit trail is worth a disk flush; admin actions are rare.
            channel.force(false);
        }
    }

    private void writeFailed(AuditEvent event, String reason) {
        writeFailures.increment();
        LOG.error("Audit event not written file={} actor={} action={} result={} reason={}", file, event.actor(),
                event.action(), event.result(), reason);
    }
}
