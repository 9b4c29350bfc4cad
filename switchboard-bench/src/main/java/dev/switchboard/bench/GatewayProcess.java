package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.EmbeddedKafkaCluster;
import dev.switchboard.testkit.FreePorts;

/** A gateway running as its own process via {@code switchboard serve}, so its CPU and heap can be measured alone. */
final class GatewayProcess implements AutoCloseable {

    private static final String MAIN = "dev.switchboard.app.SwitchboardCommand";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
            "-Dio.netty.leakDetection.level=DISABLED");

    private final ChildProcess jvm;
    private final int bootstrapPort;
    private final int adminPort;
    private final Path config;
    private final HttpClient http = HttpClient.newHttpClient();

    private GatewayProcess(ChildProcess jvm, int bootstrapPort, int adminPort, Path config) {
        this.jvm = jvm;
        this.bootstrapPort = bootstrapPort;
        this.adminPort = adminPort;
        this.config = config;
    }

    /** Set to a directory to have every gateway process record a JFR profile there. */
    static volatile Path profileDirectory;

    static GatewayProcess start(EmbeddedKafkaCluster cluster) {
        return start(cluster, false, List.of(), false);
    }

    /** JSON is YAML too: each rule goes in as the JSON it was given. */
    private static String chaosSection(List<JsonNode> rules) {
        return rules.isEmpty() ? "" : "chaos:\n  rules: [" + String.join(", ", rules.stream().map(JsonNode::toString).toList()) + "]\n";
    }

    /**
     * @param strictRequests whether the gateway parses every request body ({@code listener.strictRequests})
     * @param chaosRules     rules for its config's {@code chaos.rules}, in force from its start
     * @param rewrittenProducerIds whether the gateway rewrites every idempotent batch's producer fields, as it does
     *                       after a switch: the config then names the cluster twice, another name first, so the
     *                       one it serves is not the first configured one and its producer ids are virtual
     */
    static GatewayProcess start(EmbeddedKafkaCluster cluster, boolean strictRequests, List<JsonNode> chaosRules,
                                boolean rewrittenProducerIds) {
        int[] ports = FreePorts.distinct(2);
        int bootstrapPort = ports[0];
        int adminPort = ports[1];
        int firstNodePort = FreePorts.range(10, bootstrapPort, adminPort);
        try {
            Path config = Files.createTempFile("switchboard-bench-gateway", ".yaml");
            Files.writeString(config, """
                    listener:
                      bindHost: 127.0.0.1
                      advertisedHost: 127.0.0.1
                      bootstrapPort: %d
                      nodePorts: {first: %d, last: %d}
                      strictRequests: %s
                    admin: {bindHost: 127.0.0.1, port: %d, auth: {tokenFile: '%s'}}
                    clusters:
                    %s  - name: %s
                        bootstrapServers: %s
                    activeCluster: %s
                    """.formatted(bootstrapPort, firstNodePort, firstNodePort + 9, strictRequests, adminPort,
                    tokenFile(config),
                    rewrittenProducerIds ? "  - {name: " + cluster.name() + "-issuer, bootstrapServers: '" + cluster.bootstrapServers() + "'}\n" : "",
                    cluster.name(), cluster.bootstrapServers(), cluster.name()) + chaosSection(chaosRules));
            List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
            // For experiments with the gateway's JVM (e.g. its JIT), without a rebuild.
            String extra = System.getenv("SWITCHBOARD_BENCH_GATEWAY_JVM_OPTS");
            if (extra != null && !extra.isBlank()) {
                jvmOptions.addAll(List.of(extra.trim().split("\\s+")));
            }
            if (profileDirectory != null) {
                Path recording = Files.createTempFile(profileDirectory, "gateway-", ".jfr");
                jvmOptions.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording);
            }
            GatewayProcess gateway = new GatewayProcess(ChildProcess.startJvm("gateway", jvmOptions, MAIN,
                    List.of("serve", "--config", config.toString())), bootstrapPort, adminPort, config);
            gateway.awaitReady();
            return gateway;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + bootstrapPort;
    }

    long cpuNanos() {
        return jvm.cpuNanos();
    }

    /** Heap in use after a full collection: what the gateway really holds. */
    long liveHeapBytes() {
        try {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(jvm.pid()), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(30, TimeUnit.SECONDS);
            return heapUsedBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Heap in use now, garbage included, summed over the heap pools the gateway's /metrics reports. */
    long heapUsedBytes() {
        return (long) scrape().lines()
                .filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    double metric(String series) {
        return scrape().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    /** The chaos rules in force at the gateway, as {@code GET /api/v1/chaos/rules} shows them. */
    List<JsonNode> chaosRules() {
        HttpResponse<String> response = get("/api/v1/chaos/rules");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/chaos/rules answered " + response.statusCode() + ": " + response.body());
        }
        try {
            List<JsonNode> rules = new ArrayList<>();
            JSON.readTree(response.body()).forEach(rules::add);
            return rules;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String scrape() {
        return get("/metrics").body();
    }

    private static Path tokenFile(Path config) {
        return config.resolveSibling(config.getFileName() + ".admin-token");
    }

    private HttpResponse<String> get(String path) {
        try {
            // The token serve made for the CLI on this machine, in the file its config named.
            String token = Files.readString(tokenFile(config)).strip();
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!jvm.process().isAlive()) {
                throw new IllegalStateException("the gateway process exited: " + jvm.stderrTail());
            }
            try {
                if (get("/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // still starting
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the gateway process was not ready within 60 s: " + jvm.stderrTail());
    }

    @Override
    public void close() {
        jvm.close();
        try {
            Files.deleteIfExists(config);
            Files.deleteIfExists(tokenFile(config));
        } catch (IOException ignored) {
            // temporary file
        }
    }
}
