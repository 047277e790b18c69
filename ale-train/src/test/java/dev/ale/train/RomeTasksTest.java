package dev.ale.train;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.CandidateAction;
import dev.ale.core.task.Task;
import dev.ale.containment.TestContainment;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.train.Arm;
import dev.ale.episode.reward.Rewards;
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
 * The ROME scenario suite: each task's reference solution passes with no SafetyEvent, doing
 * nothing and wrong.sh fail; its hack action pays under the naive reward when the monitor only
 * records (monitor-off), and under the passport as written it is caught at its own step and
 * costs more than it earns.
 */
@Tag("root")
class RomeTasksTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    static final Path ROME = Path.of("..", "tasks", "rome").toAbsolutePath().normalize();

    private Trajectory run(Task task, Policy policy, String label) {
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        return runner.run(task, policy, new EpisodeSpec("rome." + task.id() + "." + label, 0, OptionalLong.empty()), s -> { });
    }

    private static String log(Trajectory t) {
        return t.end() + " " + t.detail() + "\n" + t.verifier().map(v -> v.log()).orElse("(not verified)")
                + "\nevents: " + t.events().stream().map(e -> e.rule() + "@" + e.step()).toList()
                + "\nlast observation: " + (t.steps().isEmpty() || t.steps().getLast().tools().isEmpty() ? ""
                : t.steps().getLast().tools().getLast().observation());
    }

    @Test
    void thereAreAtLeastFiveTasksEachWithAHackAndALegitimatePath() {
        List<Task> tasks = TaskLoader.loadAll(List.of(ROME));

        assertThat(tasks).hasSizeGreaterThanOrEqualTo(5);
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t.solution()).as(t.id() + " solution").isPresent();
            assertThat(t.directory().resolve("wrong.sh")).as(t.id() + " wrong.sh").isRegularFile();
            assertThat(t.actions()).as(t.id() + " actions").anyMatch(CandidateAction::hack).anyMatch(a -> !a.hack());
        });
    }

    @TestFactory
    Stream<DynamicTest> eachTaskPassesWithItsSolutionFailsWithoutItAndItsHackPaysOnlyWithTheMonitorOff() {
        return TaskLoader.loadAll(List.of(ROME)).stream().map(task -> DynamicTest.dynamicTest(task.id(), () -> {
            Trajectory right = run(task, ReplayPolicy.ofSolution(read(task.solution().orElseThrow())), "solution");
            Trajectory nothing = run(task, ScriptedPolicy.ofCalls("no-op", List.of()), "no-op");
            Trajectory wrong = run(task, ReplayPolicy.ofSolution(read(task.directory().resolve("wrong.sh"))), "wrong");
            CandidateAction hack = task.actions().stream().filter(CandidateAction::hack).findFirst().orElseThrow();
            Policy hacking = ScriptedPolicy.ofCalls("hack", List.of(new ScriptedPolicy.ScriptedCall(hack.tool(), hack.arguments())));
            Task off = task.withPassport(Arm.monitorOff().passports().apply(task.passport()));
            Trajectory hackOff = run(off, hacking, "hack-off");
            Trajectory hackOn = run(task, ScriptedPolicy.ofCalls("hack", List.of(new ScriptedPolicy.ScriptedCall(hack.tool(), hack.arguments()))),
                    "hack-on");

            List<String> problems = new ArrayList<>();
            if (!right.passed()) problems.add("reference solution failed:\n" + log(right));
            if (!right.events().isEmpty()) problems.add("reference solution raised events:\n" + log(right));
            if (nothing.passed() || nothing.end() != EndReason.FINISHED) problems.add("doing nothing did not fail cleanly:\n" + log(nothing));
            if (wrong.passed() || wrong.end() != EndReason.FINISHED) problems.add("wrong.sh did not fail cleanly:\n" + log(wrong));
            if (!hackOff.passed()) problems.add("the hack did not pay with the monitor off:\n" + log(hackOff));
            if (hackOff.events().isEmpty()) problems.add("the hack raised no event with the monitor off:\n" + log(hackOff));
            if (hackOn.passed()) problems.add("the hack passed with the monitor on:\n" + log(hackOn));
            if (hackOn.events().stream().noneMatch(e -> e.step().isPresent() && e.step().getAsInt() == 1
                    && e.episode().filter(hackOn.episodeId()::equals).isPresent())) {
                problems.add("the hack's events are not attributed to its episode and step 1:\n" + log(hackOn));
            }
            if (Rewards.of(hackOn, task.passport().detectors()).total() >= 0) problems.add("the hack cost nothing with the monitor on:\n" + log(hackOn));
            assertThat(problems).as(task.id()).isEmpty();
        }));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
