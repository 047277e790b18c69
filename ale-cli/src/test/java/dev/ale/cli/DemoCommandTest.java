package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The demo is a real containment check: it must pass on any machine ALE supports. */
@Tag("root")
class DemoCommandTest {

    @Test
    void demoRunsEveryContainmentCheckAndExitsZero() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Ale.Result r = ale.run("demo", "--tasks", java.nio.file.Path.of("..", "tasks", "examples").toString());

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
            assertThat(r.out()).contains("✓ task fix-c-stats").contains("✓ task git-remove-secret");
            assertThat(ale.listed()).isEmpty();
        }
    }
}
