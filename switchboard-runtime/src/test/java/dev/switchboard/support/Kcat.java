package dev.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** librdkafka's kcat, for tests that drive a non-Java client through the gateway. */
public final class Kcat {

    private Kcat() {
    }

    /** One kcat run: its exit code, what it printed on each stream, and how long it took from start to exit. */
    public record Run(int exit, String out, String err, Duration took) {

        /** The lines kcat printed on stdout, empty ones left out. */
        public List<String> lines() {
            return out.lines().filter(line -> !line.isEmpty()).toList();
        }
    }

    /** A line kcat printed, and when the test read it, epoch millis. */
    public record Line(String text, long atMillis) {
    }

    /**
     * A kcat that runs alongside the test: what it printed so far, line by line, on each stream, and its stdin to feed
     * a producer.
     */
    public static final class Running implements AutoCloseable {

        private final Process process;
        private final List<String> out = Collections.synchronizedList(new ArrayList<>());
        private final List<Line> err = Collections.synchronizedList(new ArrayList<>());
        private final List<Thread> readers = new ArrayList<>();

        private Running(Process process) {
            this.process = process;
            readers.add(collect(process.getInputStream(), out::add, "kcat-out"));
            readers.add(collect(process.getErrorStream(), line -> err.add(new Line(line, System.currentTimeMillis())), "kcat-err"));
        }

        /** The non-empty lines kcat printed on stdout so far. */
        public List<String> lines() {
            synchronized (out) {
                return new ArrayList<>(out);
            }
        }

        /** What kcat printed on stderr so far. */
        public List<String> errors() {
            return timedErrors().stream().map(Line::text).toList();
        }

        /** What kcat printed on stderr so far, each line with when it was read. */
        public List<Line> timedErrors() {
            synchronized (err) {
                return new ArrayList<>(err);
            }
        }

        public OutputStream stdin() {
            return process.getOutputStream();
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** Closes stdin, on which kcat -P delivers what it has and exits, and waits up to a minute for its exit code. */
        public int finish() throws IOException, InterruptedException {
            process.getOutputStream().close();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat exited after its stdin closed").isTrue();
            joinReaders();
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            joinReaders();
        }

        private void joinReaders() throws InterruptedException {
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
        }

        private static Thread collect(InputStream stream, Consumer<String> into, String name) {
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (!line.isEmpty()) {
                            into.accept(line);
                        }
                    }
                } catch (IOException e) {
                    into.accept("(output ended: " + e + ")");
                }
            }, name);
            reader.setDaemon(true);
            reader.start();
            return reader;
        }
    }

    /** Starts {@code kcat -b bootstrap args...} and returns at once. */
    public static Running start(String bootstrap, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        command.addAll(List.of(args));
        return new Running(new ProcessBuilder(command).start());
    }

    /** Skips the calling test where kcat is missing, except in CI, where {@code .ci/run} installs it and it must be there. */
    public static void assumeInstalled() {
        boolean installed = installed();
        if (System.getenv("CI") != null) {
            assertThat(installed).as("kcat must be installed in CI (.ci/run installs it)").isTrue();
        }
        assumeTrue(installed, "kcat is not installed; apt-get install -y kcat");
    }

    /** Runs {@code kcat -b bootstrap args...} with {@code stdin} (null for none) and waits up to a minute for it. */
    public static Run run(String bootstrap, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        command.addAll(List.of(args));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        // Both streams at once, so kcat never blocks on a full pipe while the other is read.
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat %s finished", command).isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8), took);
    }

    /** As {@link #run}, failing the test unless kcat exits 0; returns its stdout. */
    public static String succeed(String bootstrap, String stdin, String... args) throws IOException, InterruptedException {
        Run run = run(bootstrap, stdin, args);
        assertThat(run.exit()).as("kcat %s failed: %s", List.of(args), run.err()).isZero();
        return run.out();
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean installed() {
        try {
            Process process = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
