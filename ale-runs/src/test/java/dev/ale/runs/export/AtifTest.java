package dev.ale.runs.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Episode lines become ATIF v1.4 trajectories: steps, tool calls, observations, token metrics and the reward, each checked against ATIF's rules. */
class AtifTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Offset<Double> CLOSE = Offset.offset(1e-9);

    @TempDir
    Path dir;

    /** A model's episode: system and user prompt, two calls in one turn, a turn with no call (and ALE's nudge), then finish. */
    private static JsonNode modelEpisode(String episode, String group, double total) throws Exception {
        return JSON.readTree("""
                {"episode": "%s", "task": "sum", "policy": "openai:qwen3-8b", "started": "2026-12-05T04:00:00Z", "end": "finished",
                 "detail": "", "passed": true, "group": "%s", "sample": 0,
                 "usage": {"prompt_tokens": 300, "completion_tokens": 42, "total_tokens": 342},
                 "verifier": {"passed": true, "fraction": null, "score": 1.0, "exit_code": 0, "duration_ms": 4, "log": ""},
                 "reward": {"score": 1.0, "penalty": 0.0, "killed": false, "total": %s},
                 "messages": [
                   {"role": "system", "content": "You are in a sandbox."},
                   {"role": "user", "content": "Sum numbers.txt into sum.txt."},
                   {"role": "assistant", "content": "Looking first.", "tool_calls": [
                     {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": "{\\"command\\": \\"ls\\"}"}},
                     {"id": "c2", "type": "function", "function": {"name": "read_file", "arguments": "{\\"path\\": "}}]},
                   {"role": "tool", "tool_call_id": "c1", "content": "numbers.txt\\n"},
                   {"role": "tool", "tool_call_id": "c2", "content": "arguments are not a JSON object"},
                   {"role": "assistant", "content": "I think I am done."},
                   {"role": "user", "content": "No tool was called. Call a tool, or finish."},
                   {"role": "assistant", "content": "", "tool_calls": [
                     {"id": "c3", "type": "function", "function": {"name": "finish", "arguments": "{\\"summary\\": \\"12\\"}"}}]},
                   {"role": "tool", "tool_call_id": "c3", "content": "finished"}],
                 "steps": [
                   {"index": 1, "started": "2026-12-05T04:00:01.250Z", "model_ms": 40, "duration_ms": 55, "finish_reason": "tool_calls",
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                    "message": {"role": "assistant", "content": "Looking first."},
                    "logprobs": {"content": [{"token": "Look", "logprob": -0.5}, {"token": "ing", "logprob": -0.25}]},
                    "tool_calls": [
                      {"id": "c1", "name": "shell", "arguments": "{}", "status": "ok", "duration_ms": 9, "observation": "", "events": []},
                      {"id": "c2", "name": "read_file", "arguments": "", "status": "error", "duration_ms": 0, "observation": "", "events": []}]},
                   {"index": 2, "started": "2026-12-05T04:00:02Z", "model_ms": 30, "duration_ms": 30, "finish_reason": "stop",
                    "usage": {"prompt_tokens": 90, "completion_tokens": 10, "total_tokens": 100},
                    "message": {"role": "assistant", "content": ""}, "tool_calls": []},
                   {"index": 3, "started": "2026-12-05T04:00:03Z", "model_ms": 20, "duration_ms": 25, "finish_reason": "tool_calls",
                    "usage": {"prompt_tokens": 110, "completion_tokens": 12, "total_tokens": 122},
                    "message": {"role": "assistant", "content": ""},
                    "tool_calls": [{"id": "c3", "name": "finish", "arguments": "{}", "status": "finished", "duration_ms": 1, "observation": "",
                                    "events": []}]}],
                 "events": []}
                """.formatted(episode, group, total));
    }

    @Test
    void aModelsEpisodeBecomesStepsWithToolCallsObservationsAndMetrics() throws Exception {
        ObjectNode t = Atif.of(List.of(modelEpisode("run.sum.0", "g", 1.0)), "0.1.0", 0.95).getFirst().trajectory();

        assertThat(AtifRules.errors(t)).isEmpty();
        assertThat(t.path("schema_version").asText()).isEqualTo("ATIF-v1.4");
        assertThat(t.path("session_id").asText()).isEqualTo("run.sum.0");
        assertThat(t.path("agent").path("model_name").asText()).isEqualTo("qwen3-8b");
        ArrayNode steps = (ArrayNode) t.path("steps");
        assertThat(steps).extracting(s -> s.path("source").asText()).containsExactly("system", "user", "agent", "agent", "user", "agent");
        JsonNode first = steps.get(2);
        assertThat(first.path("message").asText()).isEqualTo("Looking first.");
        assertThat(first.path("timestamp").asText()).isEqualTo("2026-12-05T04:00:01.250Z");
        assertThat(first.path("tool_calls").get(0).path("function_name").asText()).isEqualTo("shell");
        assertThat(first.path("tool_calls").get(0).path("arguments").path("command").asText()).isEqualTo("ls");
        // what the model sent that was no JSON object is kept whole, inside the object ATIF demands
        assertThat(first.path("tool_calls").get(1).path("arguments").path("raw_arguments").asText()).isEqualTo("{\"path\": ");
        assertThat(first.path("observation").path("results")).extracting(r -> r.path("source_call_id").asText() + "=" + r.path("content").asText())
                .containsExactly("c1=numbers.txt\n", "c2=arguments are not a JSON object");
        assertThat(first.path("metrics").path("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(first.path("metrics").path("completion_tokens").asInt()).isEqualTo(20);
        assertThat(first.path("metrics").path("logprobs")).extracting(JsonNode::asDouble).containsExactly(-0.5, -0.25);
        assertThat(first.path("extra").path("ale").path("tool_calls").get(1).path("status").asText()).isEqualTo("error");
        assertThat(steps.get(3).has("tool_calls")).isFalse();
        assertThat(steps.get(3).has("observation")).isFalse();
        assertThat(steps.get(5).path("metrics").path("prompt_tokens").asInt()).isEqualTo(110);
        JsonNode fin = t.path("final_metrics");
        assertThat(fin.path("total_prompt_tokens").asInt()).isEqualTo(300);
        assertThat(fin.path("total_completion_tokens").asInt()).isEqualTo(42);
        assertThat(fin.path("total_steps").asInt()).isEqualTo(6);
        assertThat(fin.path("extra").path("reward").path("total").asDouble()).isEqualTo(1.0);
        assertThat(t.path("extra").path("ale").path("group").asText()).isEqualTo("g");
    }

    @Test
    void rewardAndAdvantagesAreThoseOfTheEpisodesGroup() throws Exception {
        List<JsonNode> lines = List.of(modelEpisode("a", "g1", 1.0), modelEpisode("b", "g1", -1.0), modelEpisode("c", "g2", 0.5),
                JSON.readTree("{\"episode\": \"d\", \"task\": \"sum\", \"end\": \"infrastructure\", \"steps\": [], \"messages\": []}"));

        List<Atif.Episode> out = Atif.of(lines, "0.1.0", 0.95);

        assertThat(out).extracting(Atif.Episode::episode).containsExactly("a", "b", "c", "d");
        assertThat(out.get(0).trajectory().path("final_metrics").path("extra").path("advantage").asDouble()).isCloseTo(1.0, CLOSE);
        assertThat(out.get(1).trajectory().path("final_metrics").path("extra").path("advantage").asDouble()).isCloseTo(-1.0, CLOSE);
        assertThat(out.get(2).trajectory().path("final_metrics").path("extra").path("advantage").asDouble()).isZero();
        // each agent step carries its turn's share of the reward and its credit
        JsonNode lastTurn = out.get(0).trajectory().path("steps").get(5).path("metrics").path("extra");
        assertThat(lastTurn.path("reward").isNumber()).isTrue();
        assertThat(lastTurn.has("return")).isTrue();
        assertThat(lastTurn.has("advantage")).isTrue();
        // the infrastructure's episode has no reward to carry, and is still a valid trajectory
        ObjectNode infra = out.get(3).trajectory();
        assertThat(infra.path("final_metrics").path("extra").has("reward")).isFalse();
        assertThat(infra.path("final_metrics").path("extra").has("advantage")).isFalse();
        for (Atif.Episode e : out) assertThat(AtifRules.errors(e.trajectory())).as(e.episode()).isEmpty();
    }

    @Test
    void eachEpisodeIsWrittenToItsOwnTrajectoryJson() throws Exception {
        List<Atif.Episode> out = Atif.of(List.of(modelEpisode("run.sum.0", "g", 1.0), modelEpisode("../x", "g", 0.0),
                modelEpisode("__.x", "g", 0.0)), "0.1.0", 0.95);

        // written one level down in the test's own directory, so "../x" would land where only this test writes (not /tmp/x)
        Path target = dir.resolve("atif");
        assertThat(Atif.write(target, out)).isEqualTo(3);

        assertThat(out).extracting(Atif.Episode::directory).containsExactly("run.sum.0", ".._x", "__.x");
        JsonNode read = JSON.readTree(Files.readString(target.resolve("run.sum.0").resolve("trajectory.json")));
        assertThat(read.toString()).isEqualTo(out.getFirst().trajectory().toString());
        assertThat(target.resolve(".._x").resolve("trajectory.json")).exists();
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void episodeIdsThatCollideAsFileNamesGetDistinctDirectories() throws Exception {
        List<Atif.Episode> out = Atif.of(List.of(modelEpisode("a/b", "g", 1.0), modelEpisode("a:b", "g", 0.0)), "0.1.0", 0.95);

        assertThat(out).extracting(Atif.Episode::directory).containsExactly("a_b", "a_b-2");
    }

    /** So that the checks above can fail: each damage breaks a rule of ATIF that AtifRules must catch. */
    @Test
    void theRulesRefuseWhatAtifForbids() throws Exception {
        List<Consumer<ObjectNode>> damages = List.of(
                t -> t.remove("session_id"),
                t -> t.put("schema_version", "ATIF-v9"),
                t -> t.put("reward", 1.0),
                t -> ((ObjectNode) t.path("agent")).remove("version"),
                t -> ((ObjectNode) t.path("steps").get(2)).put("step_id", 7),
                t -> ((ObjectNode) t.path("steps").get(1)).put("source", "assistant"),
                t -> ((ObjectNode) t.path("steps").get(1)).put("model_name", "m"),
                t -> ((ObjectNode) t.path("steps").get(1)).remove("message"),
                t -> ((ObjectNode) t.path("steps").get(2)).put("timestamp", "yesterday"),
                t -> ((ObjectNode) t.path("steps").get(2).path("tool_calls").get(0)).put("arguments", "{}"),
                t -> ((ObjectNode) t.path("steps").get(2).path("tool_calls").get(0)).put("name", "shell"),
                t -> ((ObjectNode) t.path("steps").get(2).path("observation").path("results").get(0)).put("source_call_id", "c3"),
                t -> ((ObjectNode) t.path("steps").get(2).path("metrics")).put("reward", 1.0),
                t -> ((ObjectNode) t.path("final_metrics")).put("total_steps", "6"));
        for (Consumer<ObjectNode> damage : damages) {
            ObjectNode t = Atif.of(List.of(modelEpisode("e", "g", 1.0)), "0.1.0", 0.95).getFirst().trajectory();
            assertThat(AtifRules.errors(t)).as("undamaged").isEmpty();
            damage.accept(t);
            assertThat(AtifRules.errors(t)).as(t.toString()).isNotEmpty();
        }
    }
}
