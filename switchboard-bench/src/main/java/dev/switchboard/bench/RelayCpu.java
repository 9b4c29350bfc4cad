package dev.switchboard.bench;

/**
 * The CPU time a relay process spent while {@code bytes} of records went through it, and what that comes to per
 * GB (10^9 bytes): the figure that holds still on a noisy machine, where throughput does not.
 */
record RelayCpu(long cpuNanos, long bytes) {

    private static final double GB = 1e9;

    RelayCpu {
        if (cpuNanos < 0 || bytes <= 0) {
            throw new IllegalArgumentException("CPU time must not be negative and bytes must be positive: " + cpuNanos
                    + " ns, " + bytes + " bytes");
        }
    }

    double cpuSeconds() {
        return cpuNanos / 1e9;
    }

    double secondsPerGb() {
        return cpuSeconds() / (bytes / GB);
    }
}
