package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.agent.testing.RecordedRequest;
import dev.ale.agent.testing.Reply;
import dev.ale.core.model.Usage;
import dev.ale.episode.wire.SchemaSubset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.util.ArrayList;
import java.util.Random;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model proxy end to end: a program inside a real sandbox calls {@code $OPENAI_BASE_URL}
 * with {@code $OPENAI_API_KEY}, the gateway passes the call to the server, the server forwards it
 * to a scripted OpenAI-compatible upstream on loopback, and the call is recorded for the sandbox.
 */
@Tag("root")
@Timeout(300)
class ModelProxyTest {

    @RegisterExtension
    static final LiveServer live = LiveServer.withModel();

    private static String body(boolean stream, String extra) {
        return "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": " + stream + extra + "}";
    }

    /** A shell line that posts {@code json} (no single quotes in it) to the model proxy as an agent program would. */
    private static String curl(String json, String auth) {
        return "curl -sS -N --max-time 60 -w '\\nHTTP %{http_code}\\n' -H \"Authorization: " + auth + "\""
                + " -H 'Content-Type: application/json' -d '" + json + "' \"$OPENAI_BASE_URL/chat/completions\"";
    }

    private static String curl(String json) {
        return curl(json, "Bearer $OPENAI_API_KEY");
    }

    private static JsonNode exec(String token, String sandbox, String command) {
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes/" + sandbox + "/exec", token,
                Bodies.JSON.createObjectNode().put("command", command).toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode created(String token, String passport) {
        String body = passport == null ? "{}" : "{\"passport\": \"" + passport + "\"}";
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes", token, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static JsonNode calls(String token, String sandbox) {
        LiveServer.Reply r = live.call("GET", "/v1/sandboxes/" + sandbox + "/model-calls", token, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** Every call of the ledger as docs/schemas/model-call.schema.json describes it. */
    private static void conforms(JsonNode ledger) {
        assertThat(ledger.get("calls")).isNotEmpty();
        for (JsonNode c : ledger.get("calls")) assertThat(SchemaSubset.errors(SchemaSubset.schema("model-call.schema.json"), c)).as(c.toString()).isEmpty();
    }

    /** The whole episode line, its model calls included, as docs/schemas/trajectory-line.schema.json describes it. */
    private static void lineConforms(JsonNode line) {
        assertThat(SchemaSubset.errors(SchemaSubset.schema("trajectory-line.schema.json"), line)).isEmpty();
    }

    @Test
    void anAgentInsideTheSandboxReachesTheModelThroughTheGatewayAndTheCallIsRecorded() {
        live.model().reply(Reply.text("hello from the model").withUsage(new Usage(12, 4)));
        JsonNode sandbox = created(ALICE, null);
        String id = sandbox.get("id").asText();
        String token = sandbox.get("model_token").asText();
        assertThat(token).startsWith("ale-sbx-");

        String env = exec(ALICE, id, "printenv OPENAI_BASE_URL OPENAI_API_KEY").get("stdout").asText();
        assertThat(env).isEqualTo("http://198.18.0.1:3128/v1\n" + token + "\n");

        String out = exec(ALICE, id, curl(body(false, ""))).get("stdout").asText();
        assertThat(out).contains("hello from the model").contains("HTTP 200");

        RecordedRequest upstream = live.model().lastRequest();
        assertThat(upstream.header("authorization")).as("the sandbox's token never goes upstream").isEmpty();
        assertThat(upstream.json().path("messages").path(0).path("content").asText()).isEqualTo("hi");

        JsonNode ledger = calls(ALICE, id);
        assertThat(ledger.get("tokens_spent").asLong()).isEqualTo(16);
        assertThat(ledger.get("token_budget").asLong()).isEqualTo(1_000_000);
        JsonNode call = ledger.get("calls").get(0);
        assertThat(ledger.get("calls")).hasSize(1);
        assertThat(call.get("status").asInt()).isEqualTo(200);
        assertThat(call.get("streamed").asBoolean()).isFalse();
        assertThat(call.get("request").get("messages").get(0).get("content").asText()).isEqualTo("hi");
        assertThat(call.get("response").get("choices").get(0).get("message").get("content").asText()).isEqualTo("hello from the model");
        assertThat(call.get("usage").get("prompt_tokens").asLong()).isEqualTo(12);
        assertThat(call.get("usage").get("estimated").asBoolean()).isFalse();
        assertThat(call.get("step").isNull()).as("a plain sandbox has no steps").isTrue();
        conforms(ledger);

        // the console's page of the sandbox shows the same call and the tokens it spent
        ConsoleClient console = new ConsoleClient(live);
        String page = console.get("/ui/sandboxes/" + id, Optional.of("ale_console=" + console.signIn(ALICE).cookie())).body();
        assertThat(page).contains("<p id=\"model-calls\">16 tokens spent of a budget of 1000000</p>")
                .containsPattern("<table id=\"model-table\">.*<td>200</td><td>12</td><td>4</td></tr>");

        assertThat(live.call("GET", "/v1/sandboxes/" + id + "/model-calls", BOB, null).status()).isEqualTo(404);
        String metrics = live.call("GET", "/metrics", ADMIN, null).body();
        assertThat(metrics).containsPattern("ale_proxy_tokens_total\\{kind=\"completion\"\\} [1-9]");
        assertThat(metrics).containsPattern("ale_proxy_requests_total\\{outcome=\"ok\"\\} [1-9]");
    }

    @Test
    void aStreamedReplyReachesTheAgentChunkByChunkAndIsRecordedWhole() {
        live.model().reply(Reply.text("streamed words arrive here").withChunkDelay(Duration.ofMillis(5)));
        String id = created(ALICE, null).get("id").asText();

        String out = exec(ALICE, id, curl(body(true, ""))).get("stdout").asText();

        assertThat(out.lines().filter(l -> l.startsWith("data: {")).count()).isGreaterThan(3);
        assertThat(out).contains("data: [DONE]").contains("HTTP 200");
        assertThat(live.model().lastRequest().json().path("stream_options").path("include_usage").asBoolean())
                .as("usage is asked for, so the budget is counted").isTrue();
        JsonNode call = calls(ALICE, id).get("calls").get(0);
        assertThat(call.get("streamed").asBoolean()).isTrue();
        assertThat(call.get("response").get("choices").get(0).get("message").get("content").asText()).isEqualTo("streamed words arrive here");
        assertThat(call.get("usage").get("estimated").asBoolean()).isFalse();
        assertThat(call.get("usage").get("completion_tokens").asLong()).isPositive();
        conforms(calls(ALICE, id));
    }

    @Test
    void thePassportsTokenBudgetCapsACompletionAndThenRefusesService() {
        live.model().reply(Reply.text("expensive").withUsage(new Usage(80, 30)));
        String id = created(ALICE, "budget").get("id").asText();
        int before = live.model().requests().size();

        String first = exec(ALICE, id, curl(body(false, ", \"max_tokens\": 500"))).get("stdout").asText();
        String second = exec(ALICE, id, curl(body(false, ""))).get("stdout").asText();

        assertThat(first).contains("expensive").contains("HTTP 200");
        assertThat(live.model().lastRequest().json().get("max_tokens").asLong()).as("cut to what was left").isEqualTo(100);
        assertThat(second).contains("token_budget_exhausted").contains("HTTP 429");
        assertThat(live.model().requests()).as("the refused call never went upstream").hasSize(before + 1);
        assertThat(calls(ALICE, id).get("tokens_spent").asLong()).isEqualTo(110);
    }

    @Test
    void aKilledSandboxGetsNoMoreService() {
        JsonNode sandbox = created(ALICE, null);
        String id = sandbox.get("id").asText();
        int before = live.model().requests().size();

        JsonNode tunnel = exec(ALICE, id, "ssh -o BatchMode=yes -o ConnectTimeout=5 -N -R 2222:localhost:22 x@203.0.113.9");
        assertThat(tunnel.get("killed").asBoolean()).as(tunnel.toString()).isTrue();

        LiveServer.Reply refused = live.call("POST", "/v1/chat/completions", sandbox.get("model_token").asText(), body(false, ""));
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("sandbox_killed");
        assertThat(live.model().requests()).hasSize(before);
    }

    @Test
    void aSandboxTokenReachesOnlyTheModelProxyAndServerTokensDoNotReachIt() {
        JsonNode sandbox = created(ALICE, null);
        String id = sandbox.get("id").asText();
        String token = sandbox.get("model_token").asText();

        assertThat(live.call("GET", "/v1/sandboxes", token, null).status()).isEqualTo(403);
        assertThat(live.call("GET", "/v1/sandboxes/" + id, token, null).status()).isEqualTo(403);
        assertThat(live.call("POST", "/v1/envs", token, "{\"task\": \"greet\"}").status()).isEqualTo(403);
        LiveServer.Reply admin = live.call("POST", "/v1/chat/completions", ADMIN, body(false, ""));
        assertThat(admin.status()).isEqualTo(403);
        assertThat(admin.body()).contains("sandbox's own token");
        assertThat(live.call("POST", "/v1/chat/completions", null, body(false, "")).status()).isEqualTo(401);
        assertThat(live.call("POST", "/v1/chat/completions", "ale-sbx-" + "0".repeat(48), body(false, "")).status()).isEqualTo(401);

        // from inside, the gateway itself wants the sandbox's own token
        String wrong = exec(ALICE, id, curl(body(false, ""), "Bearer ale-sbx-not-mine")).get("stdout").asText();
        assertThat(wrong).contains("HTTP 401").contains("own token");
    }

    @Test
    void aPassportWithoutTheProxyGetsNoTokenAndTheGatewayRefusesAndReports() {
        JsonNode sandbox = created(ALICE, "noproxy");
        String id = sandbox.get("id").asText();
        assertThat(sandbox.get("model_token").isNull()).isTrue();
        assertThat(exec(ALICE, id, "printenv OPENAI_API_KEY || echo none").get("stdout").asText()).isEqualTo("none\n");

        JsonNode tried = exec(ALICE, id, "curl -sS -w '\\nHTTP %{http_code}\\n' -d '{}' \"$HTTP_PROXY/v1/chat/completions\"");

        assertThat(tried.get("stdout").asText()).contains("HTTP 403").contains("model.proxy: false");
        assertThat(tried.get("events").findValuesAsText("category")).contains("egress-denied");
    }

    @Test
    void anUpstreamErrorIsPassedOnAndRecorded() {
        live.model().replyStatus(500, "the model fell over");
        String id = created(ALICE, null).get("id").asText();

        String out = exec(ALICE, id, curl(body(false, ""))).get("stdout").asText();

        assertThat(out).contains("the model fell over").contains("HTTP 500");
        JsonNode call = calls(ALICE, id).get("calls").get(0);
        assertThat(call.get("status").asInt()).isEqualTo(500);
        assertThat(call.get("usage").get("prompt_tokens").asLong()).as("a failed call costs nothing").isZero();
        conforms(calls(ALICE, id));
    }

    @Test
    void aGemEpisodesModelCallsGoIntoItsLineInTheRunDirectoryWithTheirStep() throws IOException {
        live.model().reply(Reply.text("write hello").withUsage(new Usage(20, 2)));
        LiveServer.Reply made = live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"seed\": 3}");
        String env = made.json().get("env_id").asText();
        JsonNode reset = live.call("POST", "/v1/envs/" + env + "/reset", BOB, "{}").json();
        assertThat(reset.get("info").get("model_token").asText()).startsWith("ale-sbx-");

        String shell = Bodies.JSON.createObjectNode().put("command", curl(body(false, ""))).toString();
        JsonNode asked = live.call("POST", "/v1/envs/" + env + "/step", BOB,
                "{\"action\": {\"name\": \"shell\", \"arguments\": " + shell + "}}").json();
        assertThat(asked.get("observation").asText()).contains("write hello");
        live.call("POST", "/v1/envs/" + env + "/step", BOB,
                "{\"action\": {\"name\": \"write_file\", \"arguments\": {\"path\": \"out.txt\", \"content\": \"hello\\n\"}}}");
        JsonNode done = live.call("POST", "/v1/envs/" + env + "/step", BOB,
                "{\"action\": {\"name\": \"finish\", \"arguments\": {\"summary\": \"done\"}}}").json();
        assertThat(done.get("reward").asDouble()).isEqualTo(1.0);

        Path episodes = live.runDirectory().resolve("episodes.jsonl");
        List<JsonNode> lines = Files.readAllLines(episodes).stream().map(ModelProxyTest::json)
                .filter(l -> l.path("env").asText().equals(env)).toList();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.getFirst();
        assertThat(line.get("episode").asText()).isEqualTo(reset.get("info").get("episode_id").asText());
        assertThat(line.get("seed").asLong()).isEqualTo(3);
        assertThat(line.get("reward").get("total").asDouble()).isEqualTo(1.0);
        assertThat(line.get("model_calls")).hasSize(1);
        assertThat(line.get("model_calls").get(0).get("step").asInt()).as("made during step 1").isEqualTo(1);
        assertThat(line.get("model_calls").get(0).get("response").get("choices").get(0).get("message").get("content").asText())
                .isEqualTo("write hello");
        lineConforms(line);
    }

    /**
     * Agent-native mode: the trainer installs an agent program (ALE's stdlib mini agent), runs it
     * in one shell step, and the agent does the work through the model proxy; the episode's line
     * holds both of its model calls, attributed to that step.
     */
    @Test
    void anAgentProgramInsideAGemEpisodeSolvesTheTaskThroughTheProxy() throws IOException {
        live.model().replyToolCall("shell", "{\"command\": \"printf 'hello\\\\n' > /workspace/out.txt\"}");
        live.model().replyText("out.txt holds hello");
        String agent = Files.readString(Path.of("..", "clients", "agent", "ale_mini_agent.py"));
        String env = live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\"}").json().get("env_id").asText();
        live.call("POST", "/v1/envs/" + env + "/reset", BOB, "{}");

        com.fasterxml.jackson.databind.node.ObjectNode install = Bodies.JSON.createObjectNode();
        install.putObject("action").put("name", "write_file").putObject("arguments").put("path", "/tmp/agent.py").put("content", agent);
        assertThat(live.call("POST", "/v1/envs/" + env + "/step", BOB, install.toString()).status()).isEqualTo(200);
        JsonNode ran = live.call("POST", "/v1/envs/" + env + "/step", BOB,
                "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"python3 /tmp/agent.py Read note.txt and write the word\"}}}").json();
        JsonNode done = live.call("POST", "/v1/envs/" + env + "/step", BOB,
                "{\"action\": {\"name\": \"finish\", \"arguments\": {\"summary\": \"the agent did it\"}}}").json();

        assertThat(ran.get("observation").asText()).contains("[turn 1] shell").contains("exit 0").contains("[turn 2] done: out.txt holds hello");
        assertThat(done.get("reward").asDouble()).as(done.toString()).isEqualTo(1.0);
        RecordedRequest second = live.model().lastRequest();
        assertThat(second.messages().getLast().path("role").asText()).isEqualTo("tool");
        JsonNode line = Files.readAllLines(live.runDirectory().resolve("episodes.jsonl")).stream().map(ModelProxyTest::json)
                .filter(l -> l.path("env").asText().equals(env)).findFirst().orElseThrow();
        assertThat(line.get("model_calls")).hasSize(2);
        assertThat(line.get("model_calls").findValuesAsText("step")).containsOnly("2");
        lineConforms(line);
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeIsA504AndAStreamThatRunsOverIsCutShortAndRecorded() {
        JsonNode sandbox = created(ALICE, null);
        String id = sandbox.get("id").asText();
        String token = sandbox.get("model_token").asText();
        live.model().replyDelayed(LiveServer.MODEL_TIMEOUT.plusSeconds(2), Reply.text("too late"));
        live.model().reply(Reply.text("a long answer that keeps coming in small pieces").withChunkDelay(Duration.ofMillis(400)));

        LiveServer.Reply late = live.call("POST", "/v1/chat/completions", token, body(false, ""));
        LiveServer.Reply cut = live.call("POST", "/v1/chat/completions", token, body(true, ""));

        assertThat(late.status()).as(late.body()).isEqualTo(504);
        assertThat(late.errorCode()).isEqualTo("upstream_timeout");
        assertThat(cut.status()).isEqualTo(200);
        assertThat(cut.body()).contains("data: {").doesNotContain("[DONE]");
        JsonNode recorded = calls(ALICE, id).get("calls");
        assertThat(recorded).as("the late call had no reply to record").hasSize(1);
        assertThat(recorded.get(0).get("response").get("ale_cut_short").asBoolean()).isTrue();
        assertThat(recorded.get(0).get("response").get("choices").get(0).get("message").get("content").asText())
                .isNotEmpty().isNotEqualTo("a long answer that keeps coming in small pieces");
    }

    @Test
    void noChatBodyMakesTheProxyFail() {
        live.model().respondWith(request -> Reply.text("fine"));
        String token = created(BOB, null).get("model_token").asText();
        String[] fields = {"messages", "stream", "max_tokens", "max_completion_tokens", "stream_options", "model", ""};
        String[] values = {"null", "true", "0", "-1", "1e400", "123456789012345678901234567890", "\"\"", "[]", "[null]", "{}",
                "[{\"role\": \"user\", \"content\": 7}]", "\"" + "y".repeat(3000) + "\"", "2.5"};
        Random random = new Random(20261123);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String sent;
            if (random.nextInt(5) == 0) {
                byte[] junk = new byte[random.nextInt(48)];
                random.nextBytes(junk);
                sent = new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1);
            } else {
                com.fasterxml.jackson.databind.node.ObjectNode b = (com.fasterxml.jackson.databind.node.ObjectNode) json(body(false, ""));
                String field = fields[random.nextInt(fields.length)];
                if (random.nextBoolean()) b.remove(field);
                else b.set(field, json(values[random.nextInt(values.length)]));
                sent = b.toString();
            }
            LiveServer.Reply r = live.send("POST", "/v1/chat/completions", token, sent.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    "application/json");
            if (r.status() >= 500) failures.add(sent + " -> " + r.status() + " " + r.body());
        }
        assertThat(failures).isEmpty();
    }

    private static JsonNode json(String line) {
        try {
            return Bodies.JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
