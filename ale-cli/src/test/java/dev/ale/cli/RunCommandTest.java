package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.agent.testing.ScriptedModelServer;
import dev.ale.episode.wire.SchemaSubset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ale run} as a user runs it: task directories in, a summary table out, one JSON line per episode on disk. */
@Tag("root")
class RunCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TERMINAL_BENCH_SAMPLE = Path.of("..", "tasks", "terminal-bench", "word-frequencies").toAbsolutePath().normalize();
    private static Ale ale;

    @TempDir
    Path dir;

    @BeforeAll
    static void dataDir() throws IOException {
        ale = Ale.withFreshDataDir();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        ale.close();
    }

    private static Path episodesDir(Path out) throws IOException {
        try (Stream<Path> runs = Files.list(out)) {
            return runs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static List<JsonNode> episodes(Path out) throws IOException {
        try (Stream<Path> runs = Files.list(out)) {
            Path run = runs.filter(Files::isDirectory).findFirst().orElseThrow();
            return Files.readAllLines(run.resolve("episodes.jsonl")).stream().map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }).toList();
        }
    }

    /** An ALE-format task whose answer is 12: the sum of 3, 4 and 5. */
    private Path sumTask(boolean withSolution) throws IOException {
        Path task = dir.resolve("sum");
        Files.createDirectories(task.resolve("workspace"));
        Files.writeString(task.resolve("workspace/numbers.txt"), "3\n4\n5\n");
        Files.writeString(task.resolve("verify.sh"), "test \"$(cat /workspace/sum.txt)\" = 12\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: sum-numbers
                instruction: Write the sum of the numbers in /workspace/numbers.txt to /workspace/sum.txt.
                environment:
                  files:
                    - {from: workspace/, to: /workspace/}
                verifier:
                  script: verify.sh
                """ + (withSolution ? "solution: solution.sh\n" : ""));
        if (withSolution) Files.writeString(task.resolve("solution.sh"), "awk '{s+=$1} END {print s}' numbers.txt > sum.txt\n");
        return task;
    }

    @Test
    void replayRunsATerminalBenchTaskAndWritesItsEpisode() throws IOException {
        Path out = dir.resolve("runs");

        Ale.Result r = ale.run("run", TERMINAL_BENCH_SAMPLE.toString(), "-n", "2", "--parallel", "2", "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("1 task x 2 = 2 episodes, policy replay, 2 at a time").contains("[2/2] word-frequencies#");
        assertThat(r.out()).containsPattern("word-frequencies +2 +2 +100%");
        List<JsonNode> lines = episodes(out);
        assertThat(lines).hasSize(2).allSatisfy(l -> {
            assertThat(l.get("passed").asBoolean()).isTrue();
            assertThat(l.get("reward").get("total").asDouble()).isEqualTo(1.0);
            assertThat(l.get("attempts").asInt()).isEqualTo(1);
            assertThat(l.get("policy").asText()).isEqualTo("replay");
            assertThat(l.get("verifier").get("log").asText()).contains("OK");
        });

        Path run = episodesDir(out);
        assertThat(r.out()).contains("dataset:  " + run.resolve("dataset.jsonl"));
        assertThat(Files.readAllLines(run.resolve("dataset.jsonl"))).hasSize(2);
        Ale.Result export = ale.run("export", run.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).contains("2 episodes -> " + run.resolve("dataset.jsonl"));
        List<String> rows = Files.readAllLines(run.resolve("dataset.jsonl"));
        assertThat(rows).hasSize(2).allSatisfy(row -> {
            JsonNode d = JSON.readTree(row);
            assertThat(d.get("messages").get(1).get("role").asText()).isEqualTo("user");
            assertThat(d.get("reward").get("total").asDouble()).isEqualTo(1.0);
            assertThat(d.get("advantage").asDouble()).as("both passed: nothing to prefer").isZero();
            assertThat(d.get("steps")).hasSize(3);
        });
    }

    @Test
    void anOpenAiCompatibleServerSolvesATaskThroughTheCli() throws IOException {
        Path out = dir.resolve("runs");
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.replyToolCall("shell", "{\"command\":\"awk '{s+=$1} END {print s}' numbers.txt > sum.txt\"}")
                    .replyToolCall("finish", "{\"summary\":\"done\"}");

            Ale.Result r = ale.run("run", sumTask(false).toString(), "--policy", "openai", "--model", server.baseUrl().toString(),
                    "--model-name", ScriptedModelServer.MODEL, "--out", out.toString());

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("sum-numbers +1 +1 +100%");
            JsonNode episode = episodes(out).getFirst();
            assertThat(episode.get("policy").asText()).isEqualTo("openai:" + ScriptedModelServer.MODEL);
            assertThat(episode.get("messages")).hasSize(6);
            assertThat(episode.get("steps").get(0).get("exchange").get("request").asText()).contains("\"tools\"");

            // the same episode as Harbor's trajectory.json: ATIF's fields, the model's tokens, the calls and the reward
            Path run = episodesDir(out);
            Ale.Result atif = ale.run("export", run.toString(), "--format", "atif", "--out", dir.resolve("atif").toString());
            assertThat(atif.exit()).as(atif.err()).isZero();
            assertThat(atif.out()).contains("1 episodes -> " + dir.resolve("atif"));
            JsonNode t = JSON.readTree(Files.readString(dir.resolve("atif").resolve(episode.get("episode").asText()).resolve("trajectory.json")));
            assertThat(SchemaSubset.errors(SchemaSubset.schema("atif-trajectory.schema.json"), t)).isEmpty();
            assertThat(t.get("agent").get("model_name").asText()).isEqualTo(ScriptedModelServer.MODEL);
            JsonNode agentSteps = JSON.valueToTree(t.get("steps").valueStream().filter(s -> s.get("source").asText().equals("agent")).toList());
            assertThat(agentSteps).hasSize(2);
            assertThat(agentSteps.get(0).get("tool_calls").get(0).get("function_name").asText()).isEqualTo("shell");
            assertThat(agentSteps.get(0).get("observation").get("results").get(0).get("source_call_id").asText())
                    .isEqualTo(agentSteps.get(0).get("tool_calls").get(0).get("tool_call_id").asText());
            assertThat(agentSteps.get(0).get("metrics").get("prompt_tokens").asInt())
                    .isEqualTo(episode.get("steps").get(0).get("usage").get("prompt_tokens").asInt()).isPositive();
            assertThat(t.get("final_metrics").get("extra").get("reward").get("total").asDouble()).isEqualTo(1.0);

            Ale.Result bad = ale.run("export", run.toString(), "--format", "harbor");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("--format must be jsonl or atif, was harbor");
        }
    }

    @Test
    void aModelServerThatIsDownIsCountedApartFromTheAgent() throws IOException {
        Path out = dir.resolve("runs");
        ScriptedModelServer server = ScriptedModelServer.start();
        String url = server.baseUrl().toString();
        server.close();

        Ale.Result r = ale.run("run", sumTask(false).toString(), "--policy", "openai", "--model", url,
                "--model-name", "m", "--model-retries", "1", "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("model_error").contains("unavailable").contains("not the agent's doing, attempt 3 of 3");
        // no reward (not the agent's doing), one infrastructure failure after two retries
        assertThat(r.out()).containsPattern("sum-numbers +1 +0 +0% +- +0.0 +0 +0 +0 +1 +2 ");
        JsonNode episode = episodes(out).getFirst();
        assertThat(episode.get("attempts").asInt()).isEqualTo(3);
        assertThat(episode.get("retried")).hasSize(2);
        assertThat(episode.has("reward")).isFalse();
    }

    @Test
    void badInputIsNamedAndExitsTwo() throws IOException {
        Path noSolution = sumTask(false);

        Ale.Result unknownPolicy = ale.run("run", noSolution.toString(), "--policy", "gpt");
        Ale.Result replayWithout = ale.run("run", noSolution.toString());
        Ale.Result scriptedWithout = ale.run("run", noSolution.toString(), "--policy", "scripted");
        Ale.Result openaiWithout = ale.run("run", noSolution.toString(), "--policy", "openai");
        Ale.Result missingDir = ale.run("run", dir.resolve("nope").toString());
        Ale.Result noParallel = ale.run("run", noSolution.toString(), "--parallel", "0");
        Files.writeString(dir.resolve("script.yaml"), "- tool: shell\n  argumnets: {command: ls}\n");
        Ale.Result badScript = ale.run("run", noSolution.toString(), "--policy", "scripted", "--script", dir.resolve("script.yaml").toString());

        assertThat(unknownPolicy.exit()).isEqualTo(2);
        assertThat(unknownPolicy.err()).contains("unknown --policy gpt; use replay, scripted or openai");
        assertThat(replayWithout.exit()).isEqualTo(2);
        assertThat(replayWithout.err()).contains("--policy replay needs a reference solution").contains("sum-numbers");
        assertThat(scriptedWithout.err()).contains("--policy scripted needs --script FILE");
        assertThat(openaiWithout.err()).contains("--policy openai needs --model URL");
        assertThat(missingDir.exit()).isEqualTo(2);
        assertThat(missingDir.err()).contains(dir.resolve("nope").toString());
        assertThat(noParallel.err()).contains("--parallel must lie in [1, 256], was 0");
        assertThat(badScript.exit()).isEqualTo(2);
        assertThat(badScript.err()).contains("item 1: unknown key `argumnets` (allowed: tool, arguments)");
        assertThat(Stream.of(unknownPolicy, replayWithout, scriptedWithout, openaiWithout, missingDir, noParallel, badScript))
                .allSatisfy(r -> assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat "));
    }

    @Test
    void aScriptedPolicyFileDrivesTheAgent() throws IOException {
        Path out = dir.resolve("runs");
        Files.writeString(dir.resolve("script.yaml"), """
                - tool: shell
                  arguments: {command: "awk '{s+=$1} END {print s}' numbers.txt > sum.txt"}
                - tool: shell
                  arguments: '{"command": '
                """);

        Ale.Result r = ale.run("run", sumTask(false).toString(), "--policy", "scripted", "--script", dir.resolve("script.yaml").toString(),
                "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode episode = episodes(out).getFirst();
        assertThat(episode.get("passed").asBoolean()).isTrue();
        assertThat(episode.get("steps").get(1).get("tool_calls").get(0).get("status").asText()).isEqualTo("error");
        assertThat(episode.get("end").asText()).isEqualTo("finished");
    }

    /** A Terminal-Bench task whose reference solution exits 1 after writing a wrong answer. */
    private Path brokenSolutionTask(Path parent) throws IOException {
        Path task = parent.resolve("broken-solution");
        Files.createDirectories(task);
        Files.writeString(task.resolve("task.yaml"), "instruction: Write 4 to /workspace/answer.\n");
        Files.writeString(task.resolve("run-tests.sh"), "got=$(cat /workspace/answer)\necho \"expected 4, got $got\"\n[ \"$got\" = 4 ]\n");
        Files.writeString(task.resolve("solution.sh"), "echo 5 > /workspace/answer\necho 'cannot compute' >&2\nexit 1\n");
        return task;
    }

    @Test
    void aReferenceSolutionThatFailsItsVerifierIsExplainedAndExitsOne() throws IOException {
        Path out = dir.resolve("runs");

        Ale.Result r = ale.run("run", brokenSolutionTask(dir).toString(), "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        String cause = "reference solution exited 1 (cannot compute); verifier exited 1: expected 4, got 5";
        assertThat(r.err()).contains("      cause: " + cause).contains("1 reference solution did not pass its own verifier");
        assertThat(episodes(out).getFirst().get("cause").asText()).isEqualTo(cause);
    }

    @Test
    void aDirectoryWithBadTasksRunsTheGoodOnesListsEachBadOneAndExitsTwo() throws IOException {
        Path tasks = Files.createDirectories(dir.resolve("tasks"));
        Path good = sumTask(true);
        Files.move(good, tasks.resolve("sum"));
        Path typo = Files.createDirectories(tasks.resolve("typo"));
        Files.writeString(typo.resolve("task.yaml"), "id: typo\ninstruction: x\nverifier: {script: verify.sh}\nbudgte: {steps: 3}\n");
        Files.writeString(typo.resolve("verify.sh"), "true\n");
        Path builds = Files.createDirectories(tasks.resolve("builds"));
        Files.writeString(builds.resolve("task.yaml"), "instruction: x\n");
        Files.writeString(builds.resolve("run-tests.sh"), "true\n");
        // a line the image builder refuses stops its build before anything is pulled or run
        Files.writeString(builds.resolve("Dockerfile"), "FROM python:3.13\nRUN pip install pytest\nVOLUME /data\n");
        Path out = dir.resolve("runs");

        Ale.Result r = ale.run("run", tasks.toString(), "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .contains("ale: refused " + builds + ": its image could not be made: " + builds.toRealPath().resolve("Dockerfile") + ":3: VOLUME")
                .doesNotContain("pulling")
                .contains("ale: refused " + typo + ": " + typo.resolve("task.yaml") + ": budgte: unknown field")
                .contains("2 tasks were refused (listed above); the others ran");
        assertThat(r.out()).containsPattern("sum-numbers +1 +1 +100%");
        assertThat(episodes(out)).hasSize(1);
    }
}
