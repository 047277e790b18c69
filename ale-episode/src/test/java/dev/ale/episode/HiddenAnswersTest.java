package dev.ale.episode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.Comparator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent never sees its task's reference solution, tests or verifier. The probe task lives where
 * real tasks live (inside the checkout, under target/), not in the host's /tmp, which a sandbox never
 * shows, so the search is a fair one. Its verifier is the positive control: it must find the marker
 * in its own tests, which are copied in only for the verify phase.
 */
@Tag("root")
class HiddenAnswersTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String marker = "SECRET_MARKER_" + UUID.randomUUID().toString().replace("-", "");
    private Path root;
    private Path dir;

    @BeforeEach
    void writeProbeTask() throws IOException {
        // outside the checkout and the working directory (which ALE hides anyway): only the episode's own hiding keeps it out
        String id = marker.substring(14, 26).toLowerCase();
        // (not /tmp or /var/tmp, which sandboxes have their own of)
        root = Path.of("/opt", "ale-probe-" + id);
        dir = root.resolve("suite").resolve("set").resolve("hidden-probe-" + id);
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("task.yaml"), "instruction: Find the answers if you can.\nmax_agent_timeout_sec: 600\n");
        Files.writeString(dir.resolve("Dockerfile"), "FROM debian:bookworm-slim\nWORKDIR /workspace\n");
        Files.writeString(dir.resolve("solution.sh"), "#!/bin/bash\n# " + marker + "\necho answer > /workspace/answer\n");
        Files.writeString(dir.resolve("tests/test_secret.txt"), marker + "\n");
        // the positive control: the verifier sees its own tests, with the marker, only now
        Files.writeString(dir.resolve("run-tests.sh"), "#!/bin/bash\ngrep -q " + marker + " \"$TEST_DIR/test_secret.txt\"\n");
    }

    @AfterEach
    void removeProbeTask() throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private Trajectory probe(String... commands) {
        List<ScriptedCall> calls = new ArrayList<>();
        for (String c : commands) calls.add(new ScriptedCall("shell", JSON.createObjectNode().put("command", c).put("timeout_seconds", 300).toString()));
        calls.add(new ScriptedCall("finish", "{\"summary\": \"searched\"}"));
        Task task = TaskLoader.load(dir);
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, ScriptedPolicy.ofCalls("probe", calls), new EpisodeSpec("hidden." + task.id(), 0, OptionalLong.empty()), s -> { });
    }

    private static List<String> observations(Trajectory t) {
        return t.steps().stream().map(Step::tools).flatMap(List::stream).filter(r -> r.call().name().equals("shell"))
                .map(ToolRun::observation).toList();
    }

    @Test
    void nothingOfTheVerifierOrSolutionIsCopiedIntoTheSandboxBeforeTheVerifyPhase() {
        Trajectory t = probe(
                "grep -rl " + marker + " /workspace /tmp 2>/dev/null; echo grep-done",
                "ls -A /tmp/ale-verifier 2>&1; find /workspace /tmp \\( -name run-tests.sh -o -name solution.sh -o -name 'test_secret*' \\) 2>/dev/null; echo find-done");

        List<String> seen = observations(t);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).endsWith("stdout:\ngrep-done\n");
        assertThat(seen.get(1)).contains("No such file or directory").endsWith("find-done\n").doesNotContain("run-tests.sh", "solution.sh", "test_secret");
        assertThat(t.passed()).as("the verifier (positive control) found its own tests in the verify phase:\n"
                + t.verifier().map(v -> v.log()).orElse("(not verified)")).isTrue();
    }

    @Test
    void anAgentSearchingTheWholeFilesystemFindsNeitherItsSolutionNorItsTests() {
        Trajectory t = probe(
                "timeout 240 find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o \\( -name '" + dir.getFileName()
                        + "' -o -name test_secret.txt \\) -print 2>/dev/null; echo find-done",
                "cat " + dir.resolve("solution.sh") + " " + dir.resolve("tests/test_secret.txt") + " 2>&1; echo cat-done",
                "timeout 240 grep -rl --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev " + marker + " "
                        + dir.getParent().getParent().getParent() + " 2>/dev/null; echo grep-done");

        List<String> seen = observations(t);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).as("find by name").doesNotContain(dir.getFileName().toString(), "test_secret.txt");
        assertThat(seen.get(1)).as("reading the task directory by its path").doesNotContain(marker);
        assertThat(seen.get(2)).as("grep for the marker in the checkout").doesNotContain("hidden-probe");
        assertThat(t.passed()).as("the verifier (positive control) found its own tests").isTrue();
    }
}
