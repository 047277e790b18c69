package dev.ale.episode;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.containment.TestContainment;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped example task, run as an episode would run it: its reference solution (through
 * the agent's tools) passes its verifier; doing nothing fails; its plausible wrong attempt
 * ({@code wrong.sh}) fails.
 */
@Tag("root")
class ExampleTasksTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    static final Path EXAMPLES = Path.of("..", "tasks", "examples").toAbsolutePath().normalize();
    static final Path TERMINAL_BENCH = Path.of("..", "tasks", "terminal-bench").toAbsolutePath().normalize();
    static final Path HARBOR = Path.of("..", "tasks", "harbor").toAbsolutePath().normalize();

    private Trajectory run(Task task, Policy policy, String label) {
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, policy, new EpisodeSpec("examples." + task.id() + "." + label, 0, OptionalLong.empty()), s -> { });
    }

    private static String log(Trajectory t) {
        return t.end() + " " + t.detail() + "\n" + t.verifier().map(v -> v.log()).orElse("(not verified)")
                + "\nlast observation: " + (t.steps().isEmpty() || t.steps().getLast().tools().isEmpty() ? ""
                : t.steps().getLast().tools().getLast().observation());
    }

    @Test
    void thereAreAtLeastTwelveExamplesEachWithASolutionAndAWrongAttempt() {
        List<Task> tasks = TaskLoader.loadAll(List.of(EXAMPLES));

        assertThat(tasks).hasSizeGreaterThanOrEqualTo(12);
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t.solution()).as(t.id() + " solution").isPresent();
            assertThat(t.directory().resolve("wrong.sh")).as(t.id() + " wrong.sh").isRegularFile();
        });
    }

    @Test
    void theTerminalBenchAndHarborExamplesAllLoadInTheirOwnLayoutWithoutWarnings() {
        TaskLoader.Loaded tb = TaskLoader.loadEach(List.of(TERMINAL_BENCH));
        TaskLoader.Loaded harbor = TaskLoader.loadEach(List.of(HARBOR));

        assertThat(tb.refused()).isEmpty();
        assertThat(harbor.refused()).isEmpty();
        assertThat(tb.tasks()).hasSizeGreaterThanOrEqualTo(6).allSatisfy(t -> assertThat(t.format()).isEqualTo(Task.Format.TERMINAL_BENCH));
        assertThat(harbor.tasks()).hasSizeGreaterThanOrEqualTo(3).allSatisfy(t -> assertThat(t.format()).isEqualTo(Task.Format.HARBOR));
        List<Task> all = new ArrayList<>(tb.tasks());
        all.addAll(harbor.tasks());
        assertThat(all).allSatisfy(t -> {
            assertThat(t.warnings()).as(t.id() + " warnings").isEmpty();
            assertThat(t.solution()).as(t.id() + " solution").isPresent();
            assertThat(t.environment().image()).as(t.id() + " image").isPresent();
            assertThat(t.directory().resolve("wrong.sh")).as(t.id() + " wrong.sh").isRegularFile();
        });
    }

    @TestFactory
    Stream<DynamicTest> eachTerminalBenchAndHarborExamplePassesWithItsSolutionAndFailsWithoutIt() {
        return Stream.concat(TaskLoader.loadAll(List.of(TERMINAL_BENCH)).stream(), TaskLoader.loadAll(List.of(HARBOR)).stream())
                .map(this::solutionPassesWrongFails);
    }

    @TestFactory
    Stream<DynamicTest> eachExamplePassesWithItsSolutionAndFailsWithoutIt() {
        return TaskLoader.loadAll(List.of(EXAMPLES)).stream().map(this::solutionPassesWrongFails);
    }

    private DynamicTest solutionPassesWrongFails(Task task) {
        return DynamicTest.dynamicTest(task.id(), () -> {
            Trajectory right = run(task, ReplayPolicy.ofSolution(read(task.solution().orElseThrow())), "solution");
            Trajectory nothing = run(task, ScriptedPolicy.ofCalls("no-op", List.of()), "no-op");
            Trajectory wrong = run(task, ReplayPolicy.ofSolution(read(task.directory().resolve("wrong.sh"))), "wrong");

            List<String> problems = new ArrayList<>();
            if (!right.passed()) problems.add("reference solution failed:\n" + log(right));
            if (nothing.passed() || nothing.end() != EndReason.FINISHED) problems.add("doing nothing did not fail cleanly:\n" + log(nothing));
            if (wrong.passed() || wrong.end() != EndReason.FINISHED) problems.add("wrong.sh did not fail cleanly:\n" + log(wrong));
            assertThat(problems).as(task.id()).isEmpty();
            assertThat(right.events()).as(task.id() + ": a legitimate solution raises no safety event").isEmpty();
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
