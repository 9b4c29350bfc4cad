package dev.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Ephemeral ports chosen up front, because a KRaft voter list and a restarted broker need fixed ports. */
public final class FreePorts {

    /** Where ranges below the ephemeral ports start: clear of the well-known and most registered ports. */
    private static final int NON_EPHEMERAL_FLOOR = 20_000;

    private FreePorts() {
    }

    public static int next() {
        return distinct(1)[0];
    }

    /** Ports that are free now and differ from each other: all are held open until all are found. */
    public static int[] distinct(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = probe(0);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        } finally {
            held.forEach(FreePorts::closeQuietly);
        }
    }

    /**
     * The first port of {@code size} consecutive free ports, none of them in {@code excluding}. Retried, because
     * another process may take a port meanwhile. Runs are sought below the kernel's ephemeral range first: after
     * thousands of client connections (the idle-connection benchmark) the ephemeral range is strewn with their
     * local ports, and a run of free ones there can be hard to find.
     */
    public static int range(int size, int... excluding) {
        int belowEphemeral = ephemeralRangeStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = attempt < 100 && belowEphemeral - size > NON_EPHEMERAL_FLOOR
                    ? random.nextInt(NON_EPHEMERAL_FLOOR, belowEphemeral - size) : next();
            if (first + size > 65535 || overlaps(first, size, excluding)) {
                continue;
            }
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int port = first; port < first + size; port++) {
                    held.add(probe(port));
                }
                return first;
            } catch (IOException taken) {
                // try another start
            } finally {
                held.forEach(FreePorts::closeQuietly);
            }
        }
        throw new IllegalStateException("no run of " + size + " free ports");
    }

    /**
     * Binds with SO_REUSEADDR set first, as the gateway and brokers bind, so a port whose last connections
     * linger in TIME_WAIT counts as free; set after binding, the flag would be too late.
     */
    private static ServerSocket probe(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The first port the kernel hands out for outgoing connections; Linux's default when it cannot be read. */
    private static int ephemeralRangeStart() {
        try {
            // Read to its end line by line: procfs reports a size of 0, and a read sized by it stops early.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean overlaps(int first, int size, int[] excluding) {
        for (int port : excluding) {
            if (port >= first && port < first + size) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // it was only a probe
        }
    }
}
