package dev.ale.episode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.passport.Passport;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.TaskEnvironment;
import dev.ale.core.task.VerifierSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task's tests at /tests, as Terminal-Bench's run-tests.sh and Harbor's test.sh name them outright:
 * there only in the verify phase, copied in fresh; before it /tests is empty and nothing the agent
 * does can put a file there, so a test script it plants never runs and never scores.
 */
@Tag("root")
class TestsDirTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REWARD = List.of("/tmp/ale-reward/reward.txt");

    @TempDir
    Path dir;

    /** Harbor's layout as its reader lays it out: tests/ at /tests, tests/test.sh the script, a reward file. */
    private Task task() throws IOException {
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("tests/expected"), "42\n");
        Files.writeString(dir.resolve("tests/test.sh"), """
                echo "the task's own test.sh ran from $(dirname "$0") with TEST_DIR=$TEST_DIR"
                if [ "$(cat /workspace/answer 2>/dev/null)" = "$(cat /tests/expected)" ]; then echo 1 > /tmp/ale-reward/reward.txt
                else echo 0 > /tmp/ale-reward/reward.txt; fi
                """);
        return new Task("tests-dir", dir, Task.Format.HARBOR, "Write the answer to /workspace/answer.",
                new TaskEnvironment(List.of(), Optional.empty(), Duration.ofSeconds(60), "/workspace", Optional.empty(), Map.of()),
                new VerifierSpec(new CopyIn(dir.resolve("tests/test.sh"), "/tests/test.sh"), List.of(new CopyIn(dir.resolve("tests"), "/tests")),
                        Duration.ofSeconds(60), REWARD, Map.of()),
                new AgentBudget(10, 100_000, Duration.ofMinutes(2)), Passport.defaults(), List.of(), Optional.empty());
    }

    private Trajectory run(Task task, String... commands) {
        List<ScriptedCall> calls = new ArrayList<>();
        for (String c : commands) calls.add(new ScriptedCall("shell", JSON.createObjectNode().put("command", c).toString()));
        calls.add(new ScriptedCall("finish", "{\"summary\": \"done\"}"));
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, ScriptedPolicy.ofCalls("scripted", calls), new EpisodeSpec("tests." + System.nanoTime(), 0, OptionalLong.empty()), s -> { });
    }

    private static String observation(Trajectory t, int step) {
        return t.steps().get(step).tools().getFirst().observation();
    }

    @Test
    void aTestScriptThatNamesTestsOutrightFindsItsFilesThereInTheVerifyPhase() throws IOException {
        Trajectory t = run(task(), "echo 42 > /workspace/answer");

        assertThat(t.verifier().orElseThrow().log()).contains("the task's own test.sh ran from /tests with TEST_DIR=/tests");
        assertThat(t.passed()).as(t.verifier().orElseThrow().log()).isTrue();
    }

    @Test
    void theAgentSeesAnEmptyTestsItCannotWriteAndTheTestShItPlantedNeverRuns() throws IOException {
        Trajectory t = run(task(),
                "ls -A /tests; echo listed",
                "echo 'echo 1 > /tmp/ale-reward/reward.txt; echo planted-ran' > /tests/test.sh 2>&1 || echo refused",
                "cp /dev/null /tests/expected 2>&1 || echo refused; mkdir /tests/sub 2>&1 || echo refused",
                "echo wrong > /workspace/answer");

        assertThat(observation(t, 0)).contains("stdout:\nlisted\n");
        assertThat(observation(t, 1)).contains("refused");
        assertThat(observation(t, 2)).contains("refused\n").endsWith("refused\n");
        String log = t.verifier().orElseThrow().log();
        assertThat(log).contains("the task's own test.sh ran").doesNotContain("planted-ran");
        assertThat(t.verifier().orElseThrow().score()).as(log).isZero();
        assertThat(t.passed()).isFalse();
    }

    @Test
    void anAgentThatRemovesOrReplacesTestsGetsNowhere() throws IOException {
        Trajectory t = run(task(),
                "rm -rf /tests 2>&1 || echo refused",
                "mv /tests /workspace/t 2>&1 || echo refused",
                "ln -s /workspace /tests/link 2>&1 || echo refused",
                "echo 42 > /workspace/answer");

        for (int step = 0; step < 3; step++) assertThat(observation(t, step)).as("step %d", step).endsWith("refused\n");
        assertThat(t.passed()).as(t.verifier().orElseThrow().log()).isTrue();
    }
}
