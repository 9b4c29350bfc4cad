package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process the benchmark starts (a main class from this classpath in its own JVM, or a program such as
 * HAProxy), with its output in files so it never blocks on a pipe.
 */
final class ChildProcess implements AutoCloseable {

    /** Children die with the benchmark, even when it is interrupted: no stray gateway keeps its ports. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "bench-children"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** {@code mainClass} from this classpath, in a JVM of its own. */
    static ChildProcess startJvm(String name, List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return start(name, command);
    }

    static ChildProcess start(String name, List<String> command) {
        try {
            Path out = Files.createTempFile("switchboard-bench-" + name, ".out");
            Path err = Files.createTempFile("switchboard-bench-" + name, ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            RUNNING.add(process);
            return new ChildProcess(name, process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Waits for the process to finish and returns its standard output; fails with its error output if it failed. */
    String awaitOutput(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + timeout + "; stderr: " + tail(stderr));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail(stderr));
            }
            return stdout();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name, e);
        }
    }

    String stdout() {
        return read(stdout);
    }

    String stderrTail() {
        return tail(stderr);
    }

    /** User plus system CPU time the process has used so far, from /proc. */
    long cpuNanos() {
        return ProcessCpu.nanos(process.pid());
    }

    @Override
    public void close() {
        RUNNING.remove(process);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // temporary files; the OS cleans up
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path file) {
        String text = read(file);
        return text.length() <= 2000 ? text : "..." + text.substring(text.length() - 2000);
    }
}
