package dev.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** librdkafka's kcat, for tests that drive a non-Java client through the gateway. */
public final class Kcat {

    private Kcat() {
    }

    /** Skips the calling test where kcat is missing, except in CI, where {@code .ci/run} installs it and it must be there. */
    public static void assumeInstalled() {
        boolean installed = installed();
        if (System.getenv("CI") != null) {
            assertThat(installed).as("kcat must be installed in CI (.ci/run installs it)").isTrue();
        }
        assumeTrue(installed, "kcat is not installed; apt-get install -y kcat");
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
