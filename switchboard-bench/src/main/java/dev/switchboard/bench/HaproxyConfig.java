package dev.switchboard.bench;

/**
 * The HAProxy configuration the relay benchmark runs: TCP mode, one frontend on a loopback port, one backend
 * server (the broker's relayed listener), {@code threads} threads, and HAProxy's defaults otherwise (16 KiB
 * buffers, no splicing), so it relays the way the gateway does: each byte read into user space and written out.
 *
 * @param frontendPort   the loopback port clients connect to, which the broker advertises to them
 * @param backendAddress host:port of the broker's listener that HAProxy forwards to
 * @param threads        HAProxy's {@code nbthread}
 */
record HaproxyConfig(int frontendPort, String backendAddress, int threads) {

    HaproxyConfig {
        if (frontendPort < 1 || frontendPort > 65535 || threads < 1 || !backendAddress.matches("[^\\s:]+:\\d+")) {
            throw new IllegalArgumentException("bad HAProxy settings: port " + frontendPort + ", backend " + backendAddress
                    + ", threads " + threads);
        }
    }

    String render() {
        return """
                # Written by the Switchboard relay benchmark: HAProxy in TCP mode, the floor of relaying Kafka's bytes.
                global
                    nbthread %d

                defaults
                    mode tcp
                    timeout connect 10s
                    timeout client 10m
                    timeout server 10m

                frontend kafka
                    bind 127.0.0.1:%d
                    default_backend broker

                backend broker
                    server broker %s
                """.formatted(threads, frontendPort, backendAddress);
    }
}
