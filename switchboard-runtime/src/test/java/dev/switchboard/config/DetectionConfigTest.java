package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code detection} section: its defaults, and an error naming the key for every value that cannot be used. */
class DetectionConfigTest {

    private static final String BASE = """
            listener:
              advertisedHost: gateway.example.com
              bootstrapPort: 9092
              nodePorts: {first: 9093, last: 9192}
            clusters:
              - name: primary
                bootstrapServers: kafka-a1:9092
              - name: secondary
                bootstrapServers: kafka-b1:9092
            activeCluster: primary
            """;

    @TempDir
    Path dir;

    @Test
    void withoutTheSectionHealthIsJudgedAndNothingFailsOverByItself() throws IOException {
        DetectionConfig detection = ConfigLoader.load(write(BASE)).detection();
        assertThat(detection.checkEvery()).isEqualTo(Duration.ofSeconds(2));
        assertThat(detection.measuredOver()).isEqualTo(Duration.ofSeconds(30));
        assertThat(detection.errorRate()).isEqualTo(0.5);
        assertThat(detection.minResponses()).isEqualTo(20);
        assertThat(detection.produceLatencyLimit()).isEqualTo(Duration.ofSeconds(2));
        assertThat(detection.alerts().webhook()).isNull();
        assertThat(detection.autoFailover().enabled()).isFalse();
        assertThat(detection.autoFailover().vetoFor()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void readsEveryKey() throws IOException {
        DetectionConfig detection = ConfigLoader.load(write(BASE + """
                detection:
                  checkInterval: 1s
                  window: 10s
                  errorRate: 0.25
                  minResponses: 5
                  produceLatency: 500ms
                  alerts: {webhook: "https://hooks.example.com/switchboard", timeout: 3s, maxQueued: 10}
                  autoFailover: {enabled: true, to: secondary, downFor: 20s, vetoWindow: 2m}
                """)).detection();
        assertThat(detection.checkEvery()).isEqualTo(Duration.ofSeconds(1));
        assertThat(detection.errorRate()).isEqualTo(0.25);
        assertThat(detection.produceLatencyLimit()).isEqualTo(Duration.ofMillis(500));
        assertThat(detection.alerts().maxQueued()).isEqualTo(10);
        assertThat(detection.autoFailover().to()).isEqualTo("secondary");
        assertThat(detection.autoFailover().judgedDownFor()).isEqualTo(Duration.ofSeconds(20));
        assertThat(detection.autoFailover().vetoFor()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void namesTheKeyOfEveryValueThatCannotBeUsed() throws IOException {
        expectError("detection: {checkInterval: 0s}", "detection.checkInterval: must be longer than zero");
        expectError("detection: {checkInterval: soon}", "detection.checkInterval: 'soon' is not a duration");
        expectError("detection: {checkInterval: 10s, window: 5s}", "detection.window: must be at least checkInterval (10s), was 5s");
        expectError("detection: {errorRate: 1.5}", "detection.errorRate: must be a share above 0 and at most 1");
        expectError("detection: {minResponses: 0}", "detection.minResponses: must be at least 1, was 0");
        expectError("detection: {alerts: {webhook: 'ftp://hooks'}}", "detection.alerts.webhook: must be an http:// or https:// URL");
        expectError("detection: {alerts: {maxQueued: 0}}", "detection.alerts.maxQueued: must be between 1 and 100000, was 0");
        expectError("detection: {autoFailover: {enabled: true}}", "detection.autoFailover.to: is required when enabled");
        expectError("detection: {autoFailover: {enabled: true, to: tertiary}}",
                "detection.autoFailover.to: 'tertiary' is not one of the configured clusters");
        expectError("detection: {autoFailover: {enabled: true, to: primary}}",
                "detection.autoFailover.to: must name the standby, not the active cluster 'primary'");
        expectError("detection: {autoFailover: {enabled: true, to: secondary, vetoWindow: -1s}}",
                "detection.autoFailover.vetoWindow: must not be negative");
        expectError("detection: {autoFailover: {standby: secondary}}", "detection.autoFailover.standby: is not a known key");
    }

    private void expectError(String detection, String expected) throws IOException {
        Path file = write(BASE + detection + "\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(expected);
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "gateway", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
