package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void addsUserAndSystemTicksAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (haproxy (x) 1) S 1 4242 4242 0 -1 4194560 1200 0 0 0 150 25 0 0 20 0 1 0 123 45678 900 "
                + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcessCpu.parse(stat)).isEqualTo((150 + 25) * 10_000_000L);
    }

    @Test
    void readsThisProcessesOwnCpuTime() {
        assertThat(ProcessCpu.nanos(ProcessHandle.current().pid())).isPositive();
    }
}
