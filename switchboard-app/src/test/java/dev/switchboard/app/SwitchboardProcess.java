package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code switchboard} command run as a process of its own, {@code java -cp <this classpath>} its main class, as a
 * user runs it: its exit code and what it printed on stdout and stderr, read from the process, not from a writer.
 */
record SwitchboardProcess(int exit, String out, String err) {

    static SwitchboardProcess run(String... args) throws IOException, InterruptedException {
        return runWithInput("", args);
    }

    /** As {@link #run}, with {@code stdin} written to the process's standard input. */
    static SwitchboardProcess runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        return start(null, stdin, args);
    }

    /** As {@link #run}, for a user whose home directory is {@code home}: where the CLI looks for the local admin token. */
    static SwitchboardProcess runInHome(Path home, String... args) throws IOException, InterruptedException {
        return start(home, "", args);
    }

    private static SwitchboardProcess start(Path home, String stdin, String... args) throws IOException, InterruptedException {
        // C1 only and the serial collector: a short command spends most of its CPU compiling, on a shared two-core machine.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        if (home != null) {
            command.add("-Duser.home=" + home);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SwitchboardCommand.class.getName()));
        command.addAll(List.of(args));
        // Files, not pipes, so neither stream can fill and block the process while the other is read.
        Path out = Files.createTempFile("switchboard-cli", ".out");
        Path err = Files.createTempFile("switchboard-cli", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("switchboard %s finished", List.of(args)).isTrue();
            return new SwitchboardProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The lines printed on stdout, empty ones left out. */
    List<String> outLines() {
        return out.lines().filter(line -> !line.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nstdout:\n" + out + "stderr:\n" + err;
    }
}
