package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo is a real containment check: it must pass on any machine ALE supports. */
class DemoCommandTest {

    @Test
    void demoRunsEveryContainmentCheckAndExitsZero() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            long start = System.nanoTime();
            Ale.Result r = ale.run("demo");

            assertThat(r.err()).isEmpty();
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out())
                    .contains("What was contained")
                    .contains("everything the sandboxes tried was contained")
                    .doesNotContain("✗")
                    .doesNotContain("\033[");
            for (String check : new String[] {"fork bomb", "memory bomb", "wall time", "network interfaces", "/etc/shadow",
                    "host environment", "write outside /workspace", "nothing left behind"}) {
                assertThat(r.out()).contains("✓ " + check);
            }
            assertThat(ale.listed()).isEmpty();
            assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(60);
        }
    }
}
