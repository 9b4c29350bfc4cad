package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of /proc/stat, in cores: 2.0 means both cores of
 * a 2-core machine did nothing else. It tells whether a run was limited by the machine rather than by the
 * software measured.
 */
record MachineCpu(long busyTicks, long totalTicks) {

    static MachineCpu now() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
            return new MachineCpu(total - idle, total);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }

    /** Busy cores from {@code earlier} to this reading. */
    double busyCoresSince(MachineCpu earlier) {
        long total = totalTicks - earlier.totalTicks;
        return total == 0 ? 0 : (double) (busyTicks - earlier.busyTicks) / total * Runtime.getRuntime().availableProcessors();
    }
}
