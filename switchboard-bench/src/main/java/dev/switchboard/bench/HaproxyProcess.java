package dev.switchboard.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy relaying to a broker, as its own process in the foreground ({@code -db}: one process, no master), so
 * its CPU time can be read from /proc like the gateway's.
 */
final class HaproxyProcess implements AutoCloseable {

    static final String NOT_FOUND = "haproxy not found: apt-get install -y haproxy";

    /** Debian installs haproxy in /usr/sbin, which is not on every user's PATH. */
    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private final ChildProcess process;
    private final HaproxyConfig config;
    private final Path directory;

    private HaproxyProcess(ChildProcess process, HaproxyConfig config, Path directory) {
        this.process = process;
        this.config = config;
        this.directory = directory;
    }

    /** The haproxy executable on the PATH or in an sbin directory, if there is one. */
    static Optional<Path> executable() {
        return find(System.getenv().getOrDefault("PATH", ""), SBIN);
    }

    /** The first executable named haproxy in the directories of {@code path}, then in {@code further}. */
    static Optional<Path> find(String path, List<String> further) {
        List<String> directories = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        directories.addAll(further);
        return directories.stream().filter(directory -> !directory.isBlank()).map(directory -> Path.of(directory, "haproxy"))
                .filter(Files::isExecutable).findFirst();
    }

    /** The first line of {@code haproxy -v}, e.g. "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/". */
    static String version(Path executable) {
        try {
            Process version = new ProcessBuilder(executable.toString(), "-v").redirectErrorStream(true).start();
            String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            version.waitFor(10, TimeUnit.SECONDS);
            return output.lines().findFirst().orElse("haproxy (no version printed)").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable + " -v", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HaproxyProcess start(Path executable, HaproxyConfig config) {
        try {
            Path directory = Files.createTempDirectory("switchboard-bench-haproxy");
            Path file = Files.writeString(directory.resolve("haproxy.cfg"), config.render());
            HaproxyProcess haproxy = new HaproxyProcess(ChildProcess.start("haproxy",
                    List.of(executable.toString(), "-db", "-f", file.toString())), config, directory);
            haproxy.awaitListening();
            return haproxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the HAProxy configuration", e);
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + config.frontendPort();
    }

    long cpuNanos() {
        return process.cpuNanos();
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.process().isAlive()) {
                throw new IllegalStateException("haproxy exited: " + process.stderrTail());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", config.frontendPort()), 1000);
                return;
            } catch (IOException notYet) {
                // still starting
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("haproxy did not listen on " + bootstrap() + " within 20 s: " + process.stderrTail());
    }

    @Override
    public void close() {
        process.close();
        try {
            Files.deleteIfExists(directory.resolve("haproxy.cfg"));
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
