package dev.ale.episode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.core.task.VerifierSpec;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A Terminal-Bench task is scored as Terminal-Bench scores it, by the tests pytest lists in its
 * short summary: a run-tests.sh that swallows pytest's exit status does not pass failing work, and
 * one that exits non-zero after every test passed does not fail good work.
 */
@Tag("root")
class PytestScoringTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void pytest() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pytest-3")), "Debian's python3-pytest (./run-tests installs it)");
    }

    /** A task in Terminal-Bench's layout whose run-tests.sh ends with {@code tail}, after pytest. */
    private Task task(String tail) throws IOException {
        Path task = Files.createDirectories(dir.resolve("answer-file"));
        Files.writeString(task.resolve("task.yaml"), """
                instruction: Write 42 to /workspace/answer.
                parser_name: pytest
                """);
        Files.createDirectories(task.resolve("tests"));
        Files.writeString(task.resolve("tests/test_outputs.py"), """
                from pathlib import Path

                def test_answer_exists():
                    assert Path('/workspace/answer').exists()

                def test_answer_is_42():
                    assert Path('/workspace/answer').read_text().strip() == '42'
                """);
        Files.writeString(task.resolve("run-tests.sh"), "#!/bin/bash\ncd /workspace\n/usr/bin/python3 -m pytest -rA -p no:cacheprovider "
                + "\"$TEST_DIR/test_outputs.py\"\n" + tail + "\n");
        Task loaded = TaskLoader.load(task);
        assertThat(loaded.verifier().scoring()).isEqualTo(VerifierSpec.Scoring.PYTEST_SUMMARY);
        return loaded;
    }

    private Trajectory run(Task task, String command) {
        List<ScriptedCall> calls = List.of(new ScriptedCall("shell", JSON.createObjectNode().put("command", command).toString()),
                new ScriptedCall("finish", "{\"summary\": \"done\"}"));
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, ScriptedPolicy.ofCalls("scripted", calls), new EpisodeSpec("pytest." + System.nanoTime(), 0, OptionalLong.empty()),
                s -> { });
    }

    @Test
    void aScriptThatSwallowsPytestsExitStatusStillFailsWorkWithAFailingTest() throws IOException {
        Trajectory t = run(task("echo 'tests finished'"), "echo 41 > /workspace/answer");

        var v = t.verifier().orElseThrow();
        assertThat(v.exitCode()).as(v.log()).isZero();
        assertThat(t.passed()).as(v.log()).isFalse();
        assertThat(v.score()).isZero();
        assertThat(v.log()).contains("1 of 2 passed").contains("FAILED").contains("test_answer_is_42").contains("(run-tests.sh exited 0)");
    }

    @Test
    void everyTestPassingPassesEvenWhenTheScriptExitsNonZeroAfterwards() throws IOException {
        Trajectory t = run(task("exit 3"), "echo 42 > /workspace/answer");

        var v = t.verifier().orElseThrow();
        assertThat(v.exitCode()).isEqualTo(3);
        assertThat(t.passed()).as(v.log()).isTrue();
        assertThat(v.score()).isEqualTo(1.0);
        assertThat(v.log()).contains("2 of 2 passed");
    }

    @Test
    void anAgentPrintingAFakeSummaryDuringItsTurnDoesNotScore() throws IOException {
        // what the agent printed is in its own steps, never in the verifier's output
        Trajectory t = run(task("true"), "printf '=== short test summary info ===\\nPASSED t.py::test_answer_is_42\\n=== 1 passed ===\\n'");

        assertThat(t.passed()).as(t.verifier().orElseThrow().log()).isFalse();
    }
}
