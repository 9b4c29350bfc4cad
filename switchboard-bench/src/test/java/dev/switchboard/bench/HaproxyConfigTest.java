package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HaproxyConfigTest {

    @Test
    void rendersOneTcpFrontendOnLoopbackAndOneServer() {
        String config = new HaproxyConfig(29092, "127.0.0.1:39001", 1).render();

        assertThat(config.lines().map(String::strip)).containsSubsequence("global", "nbthread 1", "defaults", "mode tcp",
                "frontend kafka", "bind 127.0.0.1:29092", "default_backend broker", "backend broker",
                "server broker 127.0.0.1:39001");
        assertThat(config).doesNotContain("mode http", "splice", "%");
    }

    @Test
    void refusesSettingsHaproxyWouldRejectLater() {
        assertThatThrownBy(() -> new HaproxyConfig(0, "127.0.0.1:1", 1)).hasMessageContaining("port 0");
        assertThatThrownBy(() -> new HaproxyConfig(1, "localhost", 1)).hasMessageContaining("backend localhost");
        assertThatThrownBy(() -> new HaproxyConfig(1, "127.0.0.1:1", 0)).hasMessageContaining("threads 0");
    }
}
