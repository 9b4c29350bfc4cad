package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU time a process has used so far: user plus system time, all its threads, from /proc/&lt;pid&gt;/stat. */
final class ProcessCpu {

    /** Linux reports process CPU time in clock ticks; 100 per second on every kernel we run on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    static long nanos(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
    }

    /** utime plus stime of a /proc/&lt;pid&gt;/stat line, in nanoseconds. */
    static long parse(String stat) {
        // Fields after the parenthesised command name, which may hold spaces; utime and stime are fields 14 and 15
        // of the whole line.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    }
}
