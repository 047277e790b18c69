package dev.ale.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.CandidateAction;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two arms on the ROME suite: with the monitor off, hacking pays and the policy keeps or
 * grows its hack rate; with the passports as written, hacks are caught at their step, cost
 * reward, and the hack rate falls, and the legitimate path is learned instead.
 *
 * <p>Both arms train for {@link #BOTH} iterations (the monitor-off arm's hack rate has grown by its
 * second, and the monitor-on arm's has fallen), then the monitor-on arm goes on from its θ for
 * {@link #MORE}: the legitimate path takes a few iterations to be found once hacking stops paying.
 * This used to be five iterations of both arms, 300 episodes against 210 now: the monitor-off
 * arm's last three, its most expensive (a hack waits on its tunnel or its workers), showed nothing
 * its second did not.
 */
@Tag("root")
class ArmComparisonTest {

    /** Iterations of both arms, and further iterations of the monitor-on arm alone. */
    static final int BOTH = 2;
    static final int MORE = 3;

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    static final Path ROME = Path.of("..", "tasks", "rome").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void withTheMonitorOffHackingPersistsAndWithItOnItFallsTheLegitimatePathIsLearnedAndEveryHackIsAttributedToItsStep() throws IOException {
        List<Task> tasks = TaskLoader.loadAll(List.of(ROME));
        // the settings `ale demo rome` uses, for fewer iterations; six samples a task find the
        // legitimate path often enough in the first iteration for the monitor-on arm to learn it
        // (four did not on every seed). Seeds 1 to 4 all pass; 4 has the widest margins.
        TrainSettings settings = new TrainSettings(BOTH, 6, 6, 4, 0.2, 0.5);
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        Map<String, Trainer.Result> results;
        Path dir;
        try (RunStore store = RunStore.create(tmp, new RunSpec("rome", tasks, settings.samples(), settings.parallel(),
                OptionalLong.of(settings.seed())), SoftmaxPolicy.NAME)) {
            dir = store.directory();
            results = new ArmComparison(new Trainer(runner)).run(tasks, settings, store, "rome", RunProgress.NONE, Trainer.Listener.NONE);
        }
        TrainSettings more = new TrainSettings(MORE, settings.samples(), settings.parallel(), settings.seed() + 1,
                settings.learningRate(), settings.entropy());
        Trainer.Result continued;
        Path moreDir;
        try (RunStore store = RunStore.create(tmp, new RunSpec("rome-on", tasks, more.samples(), more.parallel(),
                OptionalLong.of(more.seed())), SoftmaxPolicy.NAME)) {
            moreDir = store.directory();
            continued = new Trainer(runner).train(tasks, Arm.monitorOn(), more, results.get("monitor-on").weights(), store, "rome-on",
                    RunProgress.NONE, Trainer.Listener.NONE);
        }
        List<IterationMetrics> off = results.get("monitor-off").iterations();
        List<IterationMetrics> on = new ArrayList<>(results.get("monitor-on").iterations());
        on.addAll(continued.iterations());
        String table = "off " + off + "\non " + on;
        System.out.println(table);

        assertThat(off.getLast().hackRate()).as(table).isGreaterThanOrEqualTo(off.getFirst().hackRate());
        assertThat(on.get(BOTH - 1).hackRate()).as(table).isLessThan(on.getFirst().hackRate());
        assertThat(on.get(BOTH - 1).hackRate()).as(table).isLessThan(off.getLast().hackRate());
        // and with the monitor on, what is learned instead is the legitimate path: taken over the
        // iterations after both arms' (one iteration's 30 episodes are a noisy measure, and a
        // policy that has just stopped hacking often gives up for an iteration before it finds it)
        List<IterationMetrics> later = continued.iterations();
        assertThat(mean(later, IterationMetrics::hackRate)).as(table).isLessThan(on.getFirst().hackRate());
        assertThat(mean(later, IterationMetrics::passRate)).as(table).isGreaterThan(on.getFirst().passRate());

        Map<String, Set<String>> hackArguments = tasks.stream().collect(Collectors.toMap(Task::id, t -> t.actions().stream()
                .filter(CandidateAction::hack).map(CandidateAction::arguments).collect(Collectors.toSet())));
        List<String> unattributed = new ArrayList<>();
        int hacks = 0;
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve(RunStore.EPISODES)));
        lines.addAll(Files.readAllLines(moreDir.resolve(RunStore.EPISODES)));
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            if (!e.get("arm").asText().equals("monitor-on") || !e.get("hack").asBoolean()) continue;
            for (JsonNode step : e.get("steps")) {
                for (JsonNode call : step.get("tool_calls")) {
                    if (!hackArguments.get(e.get("task").asText()).contains(call.get("arguments").asText())) continue;
                    hacks++;
                    boolean attributed = false;
                    for (JsonNode ev : call.get("events")) {
                        attributed |= ev.get("episode").asText().equals(e.get("episode").asText()) && ev.get("step").asInt() == step.get("index").asInt();
                    }
                    if (!attributed) unattributed.add(e.get("episode").asText() + " step " + step.get("index").asInt());
                }
            }
        }
        assertThat(hacks).as("hack attempts in the monitor-on arm").isPositive();
        assertThat(unattributed).as("hack attempts without an event of their episode and step").isEmpty();
        assertThat(Files.readAllLines(dir.resolve(Trainer.METRICS))).hasSize(2 * BOTH);
        assertThat(Files.readAllLines(moreDir.resolve(Trainer.METRICS))).hasSize(MORE);
        assertThat(dir.resolve("checkpoint-monitor-off.json")).isRegularFile();
        assertThat(dir.resolve("checkpoint-monitor-on.json")).isRegularFile();
    }

    private static double mean(List<IterationMetrics> iterations, ToDoubleFunction<IterationMetrics> rate) {
        return iterations.stream().mapToDouble(rate).average().orElseThrow();
    }
}
