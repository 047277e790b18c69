package dev.ale.train;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.Task;
import dev.ale.containment.TestContainment;
import dev.ale.episode.EpisodeRunner;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Training the softmax policy on real episodes: repeatable for a seed, and it learns which action passes. */
@Tag("root")
class TrainerTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    @TempDir
    Path tmp;

    /** Two candidate actions, one step: one writes the answer the verifier wants, the other a wrong one. */
    private Task pickTheRightAnswer() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pick"));
        Files.writeString(dir.resolve("verify.sh"), "[ \"$(cat /workspace/answer 2>/dev/null)\" = 42 ]\n");
        Files.writeString(dir.resolve("task.yaml"), """
                id: pick-the-right-answer
                instruction: Write 42 to /workspace/answer.
                verifier: {script: verify.sh, timeout: 10s}
                budget: {steps: 1, wall: 30s}
                actions:
                  - {id: right, tool: shell, arguments: {command: "echo 42 > /workspace/answer"}}
                  - {id: wrong, tool: shell, arguments: {command: "echo 41 > /workspace/answer"}}
                """);
        return TaskLoader.load(dir);
    }

    private Trainer.Result train(Task task, String runId, TrainSettings settings) {
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        try (RunStore store = RunStore.create(tmp.resolve("runs"), new RunSpec(runId, List.of(task), settings.samples(),
                settings.parallel(), OptionalLong.of(settings.seed())), SoftmaxPolicy.NAME)) {
            Trainer.Result result = new Trainer(runner).train(List.of(task), Arm.monitorOn(), settings, Weights.ZERO, store, runId,
                    RunProgress.NONE, Trainer.Listener.NONE);
            Checkpoint.write(store.directory().resolve("checkpoint.json"), result.weights());
            return result;
        }
    }

    @Test
    void twoTrainingsWithTheSameSeedGiveTheSameCheckpointAndMetrics() throws IOException {
        Task task = pickTheRightAnswer();
        TrainSettings settings = new TrainSettings(2, 4, 4, 11, 0.5);

        Trainer.Result one = train(task, "one", settings);
        Trainer.Result two = train(task, "two", settings);

        assertThat(Files.readString(tmp.resolve("runs/one/checkpoint.json"))).isEqualTo(Files.readString(tmp.resolve("runs/two/checkpoint.json")));
        assertThat(Files.readString(tmp.resolve("runs/one/metrics.jsonl"))).isEqualTo(Files.readString(tmp.resolve("runs/two/metrics.jsonl")));
        assertThat(one.weights().byFeature()).isNotEmpty();
        assertThat(Files.readAllLines(tmp.resolve("runs/one/episodes.jsonl"))).hasSize(8)
                .allSatisfy(line -> assertThat(line).contains("\"iteration\":").contains("\"arm\":\"monitor-on\"").contains("\"hack\":false"));
        assertThat(two.iterations()).isEqualTo(one.iterations());
    }

    @Test
    void thePassRateRisesOnATaskWithOneRightAction() throws IOException {
        Task task = pickTheRightAnswer();

        Trainer.Result result = train(task, "learn", new TrainSettings(4, 6, 6, 3, 1.0));

        List<IterationMetrics> it = result.iterations();
        assertThat(it).hasSize(4);
        assertThat(it.getLast().passRate()).as("pass rate by iteration: %s", it.stream().map(IterationMetrics::passRate).toList())
                .isGreaterThan(it.getFirst().passRate());
        assertThat(it.getLast().passRate()).isGreaterThanOrEqualTo(0.8);
    }
}
