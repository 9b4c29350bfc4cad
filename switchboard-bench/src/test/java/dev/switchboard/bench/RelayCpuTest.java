package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RelayCpuTest {

    @Test
    void cpuSecondsPerGbIsCpuTimeOverBytesInUnitsOfTenToTheNine() {
        RelayCpu producing = new RelayCpu(300_000_000L, 300_000L * 1024);

        assertThat(producing.cpuSeconds()).isEqualTo(0.3);
        assertThat(producing.secondsPerGb()).isCloseTo(0.3 / 0.3072, within(1e-12));
        assertThat(new RelayCpu(2_000_000_000L, 1_000_000_000L).secondsPerGb()).isEqualTo(2.0);
        assertThat(new RelayCpu(0, 1).secondsPerGb()).isZero();
    }

    @Test
    void refusesWhatCannotBeAMeasurement() {
        assertThatThrownBy(() -> new RelayCpu(-1, 1000)).hasMessageContaining("-1 ns");
        assertThatThrownBy(() -> new RelayCpu(1000, 0)).hasMessageContaining("0 bytes");
    }
}
