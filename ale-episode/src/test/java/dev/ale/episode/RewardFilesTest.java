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
import static org.assertj.core.api.Assertions.within;

/**
 * A verifier that writes its reward to a file (Harbor's reward.txt or reward.json) is scored by
 * it; what the agent planted there beforehand is removed; the task's variables reach the agent's
 * shell and the verifier; where the reward's directory cannot be made, the log says so.
 */
@Tag("root")
class RewardFilesTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WRITABLE = List.of("/tmp/ale-reward/reward.txt", "/tmp/ale-reward/reward.json");

    @TempDir
    Path dir;

    private Task task(String verify, List<String> rewardFiles) throws IOException {
        Files.writeString(dir.resolve("verify.sh"), verify);
        return new Task("reward", dir, Task.Format.HARBOR, "Do it.",
                new TaskEnvironment(List.of(), Optional.empty(), Duration.ofSeconds(60), "/workspace", Optional.of("debian:bookworm-slim"),
                        Map.of("TASK_VAR", "from-the-image")),
                new VerifierSpec(new CopyIn(dir.resolve("verify.sh"), "/tmp/ale-verifier/tests/test.sh"), List.of(), Duration.ofSeconds(60),
                        rewardFiles, Map.of("VERIFIER_VAR", "strict")),
                new AgentBudget(10, 100_000, Duration.ofMinutes(2)), Passport.defaults(), List.of(), Optional.empty());
    }

    private Trajectory run(Task task, String... commands) {
        List<ScriptedCall> calls = new ArrayList<>();
        for (String c : commands) calls.add(new ScriptedCall("shell", JSON.createObjectNode().put("command", c).toString()));
        calls.add(new ScriptedCall("finish", "{\"summary\": \"done\"}"));
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, ScriptedPolicy.ofCalls("scripted", calls), new EpisodeSpec("reward." + System.nanoTime(), 0, OptionalLong.empty()), s -> { });
    }

    @Test
    void aRewardTxtIsTheScoreAndOnlyAFullOnePasses() throws IOException {
        Trajectory half = run(task("echo 0.5 > /tmp/ale-reward/reward.txt\nexit 0\n", WRITABLE));

        assertThat(half.verifier().orElseThrow().fraction().getAsDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(half.passed()).isFalse();
    }

    @Test
    void aRewardJsonIsReadForItsRewardField() throws IOException {
        Trajectory full = run(task("echo '{\"reward\": 1.0, \"details\": {\"passed\": 3}}' > /tmp/ale-reward/reward.json\nexit 1\n", WRITABLE));

        assertThat(full.verifier().orElseThrow().score()).isEqualTo(1.0);
        assertThat(full.passed()).as("the reward file, not the exit status, is the score").isTrue();
    }

    @Test
    void aRewardTheAgentPlantedIsRemovedBeforeTheVerifierRuns() throws IOException {
        Trajectory t = run(task("exit 1\n", WRITABLE), "mkdir -p /tmp/ale-reward && echo 1 > /tmp/ale-reward/reward.txt && echo '{\"reward\": 1}' > /tmp/ale-reward/reward.json");

        assertThat(t.passed()).isFalse();
        assertThat(t.verifier().orElseThrow().score()).isZero();
    }

    @Test
    void theTasksVariablesReachTheAgentsShellAndTheVerifier() throws IOException {
        Trajectory t = run(task("echo \"$TASK_VAR $VERIFIER_VAR\"\n[ \"$TASK_VAR/$VERIFIER_VAR\" = from-the-image/strict ] && [ \"$(cat /workspace/seen)\" = from-the-image ]\n", WRITABLE),
                "echo \"$TASK_VAR\" > /workspace/seen");

        assertThat(t.passed()).as(t.verifier().orElseThrow().log()).isTrue();
    }

    @Test
    void onARootWithoutLogsTheVerifierIsScoredByItsExitStatusAndTheLogSaysWhy() throws IOException {
        Trajectory t = run(task("mkdir -p /logs/verifier 2>/dev/null && echo 0 > /logs/verifier/reward.txt\nexit 0\n", List.of("/logs/verifier/reward.txt")));

        assertThat(t.passed()).isTrue();
        assertThat(t.verifier().orElseThrow().log()).contains("[ALE] /logs/verifier cannot be made in this sandbox")
                .contains("it is scored by $ALE_SCORE_FILE or its exit status");
    }
}
