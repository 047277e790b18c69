package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.runs.export.Dataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GEM actions in the format a task declares (tool, shell, text for its parser), malformed actions
 * as observations, ROCK's lenient make, actions over the server's size limit, and the trainer's
 * groups carried to the episode lines and the exported advantages.
 */
@Timeout(300)
@Tag("root")
class GemActionFormatsTest {

    @RegisterExtension
    static final LiveServer live = LiveServer.withModel();

    private static String make(String body) {
        LiveServer.Reply r = live.call("POST", "/v1/envs", BOB, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("env_id").asText();
    }

    private static JsonNode ok(LiveServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode step(String id, String action) {
        return ok(live.call("POST", "/v1/envs/" + id + "/step", BOB, "{\"action\": " + action + "}"));
    }

    @Test
    void aTextTasksWordsGoToItsParserWhichFinishesTheEpisode() {
        String id = make("{\"task\": \"boxed\"}");
        JsonNode info = ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null)).get("info");
        assertThat(info.get("action_format").asText()).isEqualTo("text");
        assertThat(info.get("tools")).as("a text task's agent has no tools").isEmpty();

        JsonNode done = step(id, "\"The sky is above us, so \\\\boxed{up}.\"");
        assertThat(done.get("observation").asText()).isEqualTo("answer recorded");
        assertThat(done.get("terminated").asBoolean()).isTrue();
        assertThat(done.get("info").get("end_reason").asText()).isEqualTo("finished");
        assertThat(done.get("info").get("verifier").get("passed").asBoolean()).isTrue();
        assertThat(done.get("reward").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aMalformedTextIsAnObservationAndSpendsNoStepWhenTheTaskSaysSo() {
        String id = make("{\"task\": \"boxed\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        for (String bad : List.of("\"I have no idea\"", "{\"name\": \"shell\", \"arguments\": {\"command\": \"ls\"}}", "\"still nothing\"")) {
            JsonNode r = step(id, bad);
            assertThat(r.get("info").get("tool_status").asText()).isEqualTo("malformed");
            assertThat(r.get("terminated").asBoolean()).isFalse();
            assertThat(r.get("truncated").asBoolean()).isFalse();
            assertThat(r.get("info").get("step").asInt()).as("no step of the 3 spent").isZero();
        }
        assertThat(step(id, "\"no answer\"").get("observation").asText()).contains("no \\boxed{} answer");
        assertThat(step(id, "{\"name\": \"shell\"}").get("observation").asText()).contains("takes its action as text");
        JsonNode done = step(id, "\"\\\\boxed{down}\"");
        assertThat(done.get("info").get("step").asInt()).isEqualTo(1);
        assertThat(done.get("terminated").asBoolean()).isTrue();
        assertThat(done.get("reward").asDouble()).as("wrong answer").isEqualTo(0.0);
    }

    @Test
    void inTheShellFormatAStringIsACommandAndAMalformedActionSpendsAStepByDefault() {
        String id = make("{\"task\": \"greet-short\", \"action_format\": \"shell\"}");
        assertThat(ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null)).get("info").get("action_format").asText()).isEqualTo("shell");
        JsonNode ls = step(id, "\"cat note.txt\"");
        assertThat(ls.get("observation").asText()).contains("the word is hello");
        assertThat(ls.get("info").get("tool_status").asText()).isEqualTo("ok");
        JsonNode blank = step(id, "\"   \"");
        assertThat(blank.get("info").get("tool_status").asText()).isEqualTo("malformed");
        assertThat(blank.get("info").get("step").asInt()).isEqualTo(2);
        assertThat(blank.get("truncated").asBoolean()).as("the step budget of 2 is spent").isTrue();
    }

    @Test
    void inTheToolFormatAPlainStringIsAMalformedStepAndTextNeedsAParser() {
        String id = make("{\"task\": \"greet\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        JsonNode r = step(id, "\"ls\"");
        assertThat(r.get("info").get("tool_status").asText()).isEqualTo("malformed");
        assertThat(r.get("info").get("step").asInt()).isEqualTo(1);
        LiveServer.Reply text = live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"action_format\": \"text\"}");
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.body()).contains("no parser");
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"action_format\": \"json\"}").status()).isEqualTo(400);
    }

    @Test
    void rocksMakeTakesItsOwnFieldsWhileALEsStaysStrict() {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.ale.server.Fields");
        logger.addHandler(capture);
        LiveServer.Reply rock;
        try {
            rock = live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"greet\", \"sandbox_id\": \"from-rock\", \"a_newer_field\": {\"x\": 1}}");
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(warnings).as("the ignored field is a warning in the log").anyMatch(w -> w.startsWith("ROCK gem make:") && w.contains("a_newer_field"));
        assertThat(rock.status()).as(rock.body()).isEqualTo(200);
        assertThat(rock.json().get("sandbox_id").asText()).startsWith("env-");
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"sandbox_id\": \"x\"}").status()).isEqualTo(400);
    }

    @Test
    void anActionOverTheLimitIsAnObservationNamingTheFilesRoute() {
        String id = make("{\"task\": \"greet\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        String big = "x".repeat(2 << 20);
        JsonNode r = step(id, "{\"name\": \"write_file\", \"arguments\": {\"path\": \"/workspace/big\", \"content\": \"" + big + "\"}}");
        assertThat(r.get("info").get("tool_status").asText()).isEqualTo("malformed");
        assertThat(r.get("observation").asText()).contains("PUT /v1/envs/" + id + "/files?path=");
        LiveServer.Reply put = live.send("PUT", "/v1/envs/" + id + "/files?path=/workspace/big", BOB, big.getBytes(StandardCharsets.UTF_8),
                "application/octet-stream");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("size").asLong()).isEqualTo(2 << 20);
        assertThat(step(id, "{\"name\": \"shell\", \"arguments\": {\"command\": \"wc -c < /workspace/big\"}}").get("observation").asText())
                .contains(String.valueOf(2 << 20));
        LiveServer.Reply rock = live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + id + "\", \"action\": \"" + big + "\"}");
        assertThat(rock.status()).isEqualTo(200);
        assertThat(rock.json().get("observation").asText()).contains("over this server's limit");
        assertThat(live.send("PUT", "/v1/envs/" + id + "/files?path=/etc/x", BOB, new byte[] {1}, "application/octet-stream").status())
                .isNotEqualTo(200);
    }

    @Test
    void theTrainersGroupsAreTheExportsGroups() throws IOException {
        // group g1: one solves, one does not; g2: one alone (advantage 0). By task alone, the three would be one group.
        List<String> g1 = List.of(make("{\"task\": \"greet\", \"group\": \"g1\", \"sample\": 0}"), make("{\"task\": \"greet\"}"));
        String g2 = make("{\"task\": \"greet\", \"group\": \"g2\", \"sample\": 0}");
        JsonNode info = ok(live.call("POST", "/v1/envs/" + g1.get(0) + "/reset", BOB, null)).get("info");
        assertThat(info.get("group").asText()).isEqualTo("g1");
        assertThat(ok(live.call("POST", "/v1/envs/" + g1.get(1) + "/reset", BOB, "{\"group\": \"g1\", \"sample\": 1}")).get("info").get("sample").asInt())
                .isEqualTo(1);
        ok(live.call("POST", "/v1/envs/" + g2 + "/reset", BOB, null));
        String hello = "{\"name\": \"write_file\", \"arguments\": {\"path\": \"/workspace/out.txt\", \"content\": \"hello\\n\"}}";
        String finish = "{\"name\": \"finish\", \"arguments\": {}}";
        step(g1.get(0), hello);
        assertThat(step(g1.get(0), finish).get("reward").asDouble()).isEqualTo(1.0);
        assertThat(step(g1.get(1), finish).get("reward").asDouble()).isEqualTo(0.0);
        step(g2, hello);
        assertThat(step(g2, finish).get("reward").asDouble()).isEqualTo(1.0);

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(live.runDirectory().resolve("episodes.jsonl"))) lines.add(Bodies.JSON.readTree(line));
        Map<String, JsonNode> byEnv = lines.stream().collect(Collectors.toMap(l -> l.get("env").asText(), l -> l, (a, b) -> b));
        assertThat(byEnv.get(g1.get(1)).get("group").asText()).isEqualTo("g1");
        assertThat(byEnv.get(g1.get(1)).get("sample").asInt()).isEqualTo(1);
        List<JsonNode> ours = List.of(byEnv.get(g1.get(0)), byEnv.get(g1.get(1)), byEnv.get(g2));
        Map<String, Double> advantage = Dataset.of(ours, 0.95).stream()
                .collect(Collectors.toMap(r -> r.get("episode").asText(), r -> r.get("advantage").asDouble()));
        assertThat(advantage.get(byEnv.get(g1.get(0)).get("episode").asText())).isEqualTo(1.0);
        assertThat(advantage.get(byEnv.get(g1.get(1)).get("episode").asText())).isEqualTo(-1.0);
        assertThat(advantage.get(byEnv.get(g2).get("episode").asText())).as("alone in its group").isEqualTo(0.0);

        List<JsonNode> ungrouped = new ArrayList<>();
        for (JsonNode l : ours) {
            ObjectNode copy = l.deepCopy();
            copy.remove("group");
            ungrouped.add(copy);
        }
        assertThat(Dataset.of(ungrouped, 0.95).stream().map(r -> r.get("advantage").asDouble()).toList())
                .as("without groups: one group per task, as before").doesNotContain(0.0);
    }

    /** ROCK's GEM client declares {@code action: str}: over ROCK's paths a plain string is the task's action, not a malformed tool call. */
    @Test
    void rocksGemClientsPlainStringsAreActionsInTheTasksFormat() {
        String boxed = ok(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"boxed\", \"sandbox_id\": \"from-rock\"}")).get("sandbox_id").asText();
        ok(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + boxed + "\"}"));
        JsonNode done = ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + boxed + "\", \"action\": \"\\\\boxed{up}\"}"));
        assertThat(done.get("terminated").asBoolean()).isTrue();
        assertThat(done.get("reward").asDouble()).isEqualTo(1.0);

        String shell = ok(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"greet-short\", \"action_format\": \"shell\"}"))
                .get("sandbox_id").asText();
        ok(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + shell + "\"}"));
        JsonNode ls = ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + shell + "\", \"action\": \"ls\"}"));
        assertThat(ls.get("observation").asText()).contains("note.txt");
        assertThat(ls.get("info").get("tool_status").asText()).isEqualTo("ok");

        String tool = ok(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"greet\"}")).get("sandbox_id").asText();
        ok(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + tool + "\"}"));
        JsonNode malformed = ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + tool + "\", \"action\": \"ls\"}"));
        assertThat(malformed.get("info").get("tool_status").asText()).as("a tool task's string is an observation, not a 400").isEqualTo("malformed");
    }
}
