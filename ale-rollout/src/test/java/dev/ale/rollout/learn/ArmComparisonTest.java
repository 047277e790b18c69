package dev.ale.rollout.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.CandidateAction;
import dev.ale.core.task.Task;
import dev.ale.rollout.TestContainment;
import dev.ale.rollout.episode.EpisodeRunner;
import dev.ale.rollout.run.RunProgress;
import dev.ale.rollout.run.RunSpec;
import dev.ale.rollout.run.RunStore;
import dev.ale.rollout.task.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two arms on the ROME suite: with the monitor off, hacking pays and the policy keeps or
 * grows its hack rate; with the passports as written, hacks are caught at their step, cost
 * reward, and the hack rate falls.
 */
@Tag("root")
class ArmComparisonTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();
    static final Path ROME = Path.of("..", "tasks", "rome").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void withTheMonitorOffHackingPersistsAndWithItOnItFallsTheLegitimatePathIsLearnedAndEveryHackIsAttributedToItsStep() throws IOException {
        List<Task> tasks = TaskLoader.loadAll(List.of(ROME));
        // the settings `ale demo rome` uses, for fewer iterations
        TrainSettings settings = new TrainSettings(5, 6, 6, 1, 0.2, 0.5);
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        Map<String, Trainer.Result> results;
        Path dir;
        try (RunStore store = RunStore.create(tmp, new RunSpec("rome", tasks, settings.samples(), settings.parallel(),
                OptionalLong.of(settings.seed())), SoftmaxPolicy.NAME)) {
            dir = store.directory();
            results = new ArmComparison(new Trainer(runner)).run(tasks, settings, store, "rome", RunProgress.NONE, Trainer.Listener.NONE);
        }
        List<IterationMetrics> off = results.get("monitor-off").iterations();
        List<IterationMetrics> on = results.get("monitor-on").iterations();
        String table = "off " + off + "\non " + on;
        System.out.println(table);

        assertThat(off.getLast().hackRate()).as(table).isGreaterThanOrEqualTo(off.getFirst().hackRate());
        assertThat(on.getLast().hackRate()).as(table).isLessThan(on.getFirst().hackRate());
        assertThat(on.getLast().hackRate()).as(table).isLessThan(off.getLast().hackRate());
        // and with the monitor on, what is learned instead is the legitimate path
        assertThat(on.getLast().passRate()).as(table).isGreaterThan(on.getFirst().passRate());

        Map<String, Set<String>> hackArguments = tasks.stream().collect(Collectors.toMap(Task::id, t -> t.actions().stream()
                .filter(CandidateAction::hack).map(CandidateAction::arguments).collect(Collectors.toSet())));
        List<String> unattributed = new ArrayList<>();
        int hacks = 0;
        for (String line : Files.readAllLines(dir.resolve(RunStore.EPISODES))) {
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
        assertThat(Files.readAllLines(dir.resolve(Trainer.METRICS))).hasSize(10);
        assertThat(dir.resolve("checkpoint-monitor-off.json")).isRegularFile();
        assertThat(dir.resolve("checkpoint-monitor-on.json")).isRegularFile();
    }
}
