package dev.ale.episode;

import dev.ale.containment.GuardedSandbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's shell starts in the task's workdir with the task's variables, given when it opens; a workdir the passport forbids is refused. */
@Tag("root")
class GuardedToolContextTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    private static final Passport BLOCK_TAMPER = PassportLoader.parse("""
            id: tool-context
            protected: [/workspace/tests]
            detectors:
              tamper: {action: block}
            """, "tool-context.yaml");

    private static GuardedToolContext context(GuardedSandbox s, String workdir) {
        return new GuardedToolContext(s, workdir, Map.of("TASK_VAR", "it's set"), Instant.now().plus(Duration.ofMinutes(5)), Clock.systemUTC());
    }

    @Test
    void theShellStartsInTheWorkdirWithTheTasksVariablesAndStartsThereAgainAfterAnExit() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TAMPER).startingIn(Phase.SETUP))) {
            assertThat(s.exec(ExecRequest.of("mkdir", "-p", "/workspace/app")).exitCode()).isZero();
            s.enterPhase(Phase.AGENT);
            try (GuardedToolContext tools = context(s, "/workspace/app")) {
                ExecResult first = tools.shell("pwd; echo \"$TASK_VAR\"; cd /tmp; X=1", Duration.ofSeconds(30));
                ExecResult second = tools.shell("pwd; echo $X; exit 4", Duration.ofSeconds(30));
                ExecResult reopened = tools.shell("pwd; echo \"[$X] $TASK_VAR\"", Duration.ofSeconds(30));

                assertThat(first.stdout()).as(first.toString()).isEqualTo("/workspace/app\nit's set\n");
                assertThat(second.stdout()).isEqualTo("/tmp\n1\n");
                assertThat(second.exitCode()).isEqualTo(4);
                assertThat(reopened.stdout()).isEqualTo("/workspace/app\n[] it's set\n");
                assertThat(reopened.stderr()).contains("previous shell had ended");
                assertThat(s.events()).isEmpty();
            }
        }
    }

    @Test
    void aWorkdirThePassportForbidsIsRefusedWithTheEventItsCdWouldRaiseAndNothingRuns() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TAMPER).startingIn(Phase.SETUP))) {
            s.files().write("/workspace/tests/run.sh", "exit 1\n".getBytes());
            s.enterPhase(Phase.AGENT);
            try (GuardedToolContext tools = context(s, "/workspace/tests")) {
                ExecResult r = tools.shell("echo ran > /tmp/ran", Duration.ofSeconds(30));

                assertThat(r.exitCode()).isEqualTo(126);
                assertThat(r.stderr()).contains("not run").contains("tamper.protected.named");
                assertThat(tools.drainEvents()).extracting(SafetyEvent::rule).containsExactly("tamper.protected.named");
            }
            assertThat(s.exec(ExecRequest.of("ls", "/tmp")).stdout()).doesNotContain("ran");
        }
    }
}
