package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.server.LiveServer.ADMIN;
import static dev.ale.server.LiveServer.ALICE;
import static dev.ale.server.LiveServer.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ROCK's sandbox API over a real server and real sandboxes, on ROCK's wire: its paths under
 * {@code /apis/envs/sandbox/v1}, its request bodies, its envelope (a refusal is {@code Failed}
 * over HTTP 200) and its {@code XRL-Authorization} header.
 */
@Timeout(300)
@Tag("root")
class RockSandboxApiTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    private static final String V1 = "/apis/envs/sandbox/v1";

    /** As ROCK's SDK sends it: JSON, the token in XRL-Authorization. */
    private static LiveServer.Reply rock(String method, String route, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(live.uri(V1 + route)).timeout(Duration.ofMinutes(2))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) b.header("XRL-Authorization", "Bearer " + token);
        if (json != null) b.header("Content-Type", "application/json");
        b.header("ROUTE-KEY", "k").header("X-Cluster", "default");
        return send(b.build());
    }

    private static LiveServer.Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = live.http().send(request, HttpResponse.BodyHandlers.ofString());
            return new LiveServer.Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode success(LiveServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode json = r.json();
        assertThat(json.get("status").asText()).as(r.body()).isEqualTo("Success");
        assertThat(json.get("error").isNull()).isTrue();
        assertThat(json.has("message")).isTrue();
        return json.get("result");
    }

    private static String failed(LiveServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode json = r.json();
        assertThat(json.get("status").asText()).as(r.body()).isEqualTo("Failed");
        assertThat(json.get("result").isNull()).isTrue();
        assertThat(json.get("message").asText()).endsWith("failed");
        return json.get("error").asText();
    }

    /** As ROCK's SDK starts one: start_async, then get_status until it is alive; the ROCK id. */
    private static String start(String token) {
        String id = success(rock("POST", "/start_async", token, "{\"image\": \"\", \"memory\": \"512m\", \"cpus\": 1}")).get("sandbox_id").asText();
        awaitStatus(token, id, "success");
        return id;
    }

    /** Polls get_status until docker_run's status is {@code phase} (a wait, bounded at a minute; not a measure of speed). */
    private static JsonNode awaitStatus(String token, String id, String phase) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            JsonNode status = success(rock("GET", "/get_status?sandbox_id=" + id, token, null));
            String now = status.get("status").get("docker_run").get("status").asText();
            if (now.equals(phase)) return status;
            assertThat(now).as("start %s: %s", id, status).isEqualTo("running");
            assertThat(System.nanoTime()).as("start %s still %s after a minute", id, now).isLessThan(deadline);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The ALE sandbox a ROCK id became, as get_status names it. */
    private static String aleId(String token, String id) {
        return success(rock("GET", "/get_status?sandbox_id=" + id, token, null)).get("ale_sandbox_id").asText();
    }

    @Test
    void aSandboxStartsReportsItsStatusAndIsStoppedThenDeleted() {
        // the fields ROCK's SDK sends on start_async, ALE's unknown ones among them
        JsonNode started = success(rock("POST", "/start_async", ALICE, """
                {"image": "", "image_os": "linux", "auto_clear_time": 5, "auto_clear_time_minutes": 5, "startup_timeout": 180,
                 "memory": "8g", "cpus": 2, "registry_username": null, "registry_password": null, "use_kata_runtime": false,
                 "operator_type": null, "a_field_from_a_newer_sdk": 1}"""));
        String id = started.get("sandbox_id").asText();
        assertThat(id).startsWith("rock-");
        assertThat(started.get("cpus").asDouble()).as("bounded by the default passport").isEqualTo(1.0);
        assertThat(started.get("memory").asText()).isEqualTo("1g");
        assertThat(started.has("host_name")).isTrue();

        JsonNode status = awaitStatus(ALICE, id, "success");
        String ale = status.get("ale_sandbox_id").asText();
        JsonNode listed = live.call("GET", "/v1/sandboxes/" + ale, ALICE, null).json();
        assertThat(listed.get("idle_timeout_seconds").asLong()).isEqualTo(300);
        assertThat(listed.get("labels").get("rock_id").asText()).as("ALE's listing names the ROCK id").isEqualTo(id);
        assertThat(status.get("sandbox_id").asText()).isEqualTo(id);
        assertThat(status.get("is_alive").asBoolean()).isTrue();
        assertThat(status.get("state").asText()).isEqualTo("running");
        assertThat(status.get("status").get("docker_run").get("status").asText()).isEqualTo("success");
        assertThat(status.get("status").get("image_pull").get("status").asText()).isEqualTo("success");
        assertThat(status.get("memory").asText()).isEqualTo("1g");
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + id, ALICE, null)).get("is_alive").asBoolean()).isTrue();
        assertThat(live.call("GET", "/healthz", null, null).json().get("sandboxes").asInt()).as("ROCK's sandboxes are counted").isEqualTo(1);
        assertThat(live.call("GET", "/metrics", ADMIN, null).body()).containsPattern("(?m)^ale_sandboxes_active 1\\.0$");

        assertThat(failed(rock("POST", "/delete", ALICE, "{\"sandbox_id\": \"" + id + "\"}"))).contains("running").contains("stop it first");
        assertThat(success(rock("POST", "/stop", ALICE, "{\"sandbox_id\": \"" + id + "\"}")).asText()).isEqualTo(id + " stopped");
        assertThat(live.call("GET", "/v1/sandboxes/" + ale, ALICE, null).status()).as("destroyed").isEqualTo(404);
        assertThat(live.call("GET", "/healthz", null, null).json().get("sandboxes").asInt()).isZero();
        assertThat(live.call("GET", "/metrics", ADMIN, null).body()).containsPattern("(?m)^ale_sandboxes_active 0\\.0$");
        JsonNode gone = success(rock("GET", "/is_alive?sandbox_id=" + id, ALICE, null));
        assertThat(gone.get("is_alive").asBoolean()).isFalse();
        assertThat(failed(rock("GET", "/get_status?sandbox_id=" + id, ALICE, null))).contains("no sandbox " + id);
        assertThat(success(rock("POST", "/delete", ALICE, "{\"sandbox_id\": \"" + id + "\"}")).asText()).as("idempotent, as ROCK's").isEqualTo(id + " deleted");
        assertThat(failed(rock("POST", "/stop", ALICE, "{\"sandbox_id\": \"" + id + "\"}"))).contains("no sandbox");
    }

    @Test
    void syncStartAnAdminsResourcesAndANamedPassport() {
        JsonNode admin = success(rock("POST", "/start", ADMIN, "{\"memory\": \"2g\", \"cpus\": 2}"));
        assertThat(admin.get("memory").asText()).as("an admin may ask more than the passport").isEqualTo("2g");
        assertThat(admin.get("cpus").asDouble()).isEqualTo(2.0);
        JsonNode small = success(rock("POST", "/start", BOB, "{\"passport\": \"small\", \"memory\": \"8g\"}"));
        assertThat(small.get("memory").asText()).as("bounded by the passport 'small'").isEqualTo("256m");
        JsonNode status = success(rock("GET", "/get_status?sandbox_id=" + small.get("sandbox_id").asText(), BOB, null));
        assertThat(status.get("passport").asText()).isEqualTo("small");
    }

    @Test
    void whatALECannotHonourOnStartIsFailedWithTheReason() {
        assertThat(failed(rock("POST", "/start", BOB, "{\"image\": \"python 3.11\"}"))).contains("image").contains("not an image name");
        assertThat(failed(rock("POST", "/start", BOB, "{\"memory\": \"lots\"}"))).contains("memory").contains("lots");
        assertThat(failed(rock("POST", "/start", BOB, "{\"cpus\": -1}"))).contains("cpus");
        assertThat(failed(rock("POST", "/start", BOB, "{\"passport\": \"nope\"}"))).contains("no passport named 'nope'");
        assertThat(failed(rock("POST", "/start", BOB, "{\"passport\": \"id: mine\\n\"}"))).contains("admin token");
        assertThat(failed(rock("POST", "/start", BOB, "{not json"))).contains("not valid JSON");
        assertThat(live.call("GET", "/v1/sandboxes", BOB, null).json().get("sandboxes")).isEmpty();
    }

    /**
     * ROCK's image roots the sandbox in it, through the server's image store: this server has none, so
     * the start fails saying that, which shows the image reached the passport. An env token cannot swap
     * the image a passport names; an admin can.
     */
    @Test
    void anImageOnStartRootsTheSandboxInItUnlessThePassportNamesAnother() {
        assertThat(failed(rock("POST", "/start", BOB, "{\"image\": \"python:3.11\"}"))).contains("python:3.11").contains("without an image store");
        assertThat(failed(rock("POST", "/start", ALICE, "{\"passport\": \"imaged\", \"image\": \"python:3.11\"}")))
                .contains("passport imaged roots its sandboxes in image alpine:3.20").contains("only an admin token");
        assertThat(failed(rock("POST", "/start", ALICE, "{\"passport\": \"imaged\", \"image\": \"alpine:3.20\"}")))
                .contains("alpine:3.20").contains("without an image store");
        assertThat(failed(rock("POST", "/start", LiveServer.ADMIN, "{\"passport\": \"imaged\", \"image\": \"python:3.11\"}")))
                .contains("python:3.11").contains("without an image store");
        assertThat(live.call("GET", "/v1/sandboxes", ALICE, null).json().get("sandboxes")).isEmpty();
    }

    /**
     * A start that cannot succeed (a passport naming an image, on a server without an image store) shows
     * that start_async answers first: the answer is Success with a ROCK id, and get_status then tells of
     * the failure the synchronous start answers at once. The quota slot it held comes back.
     */
    @Test
    void startAsyncAnswersBeforeTheSandboxIsMadeAndGetStatusTellsHowItWent() {
        assertThat(failed(rock("POST", "/start", ALICE, "{\"passport\": \"imaged\"}"))).contains("without an image store");

        String id = success(rock("POST", "/start_async", ALICE, "{\"passport\": \"imaged\"}")).get("sandbox_id").asText();
        assertThat(id).startsWith("rock-");
        JsonNode status = awaitStatus(ALICE, id, "failed");
        assertThat(status.get("is_alive").asBoolean()).isFalse();
        assertThat(status.get("state").asText()).isEqualTo("failed");
        assertThat(status.get("status").get("docker_run").get("message").asText()).contains("could not be made").contains("without an image store");
        JsonNode alive = success(rock("GET", "/is_alive?sandbox_id=" + id, ALICE, null));
        assertThat(alive.get("is_alive").asBoolean()).isFalse();
        assertThat(alive.get("message").asText()).contains("could not be made");
        assertThat(failed(rock("POST", "/execute", ALICE, "{\"sandbox_id\": \"" + id + "\", \"command\": \"true\"}")))
                .contains("could not be made");
        assertThat(failed(rock("GET", "/get_status?sandbox_id=" + id, BOB, null))).as("another token's start is unknown").contains("no sandbox " + id);

        // its slot came back: both of alice's two are free
        String a = start(ALICE);
        String b = start(ALICE);
        assertThat(failed(rock("POST", "/start_async", ALICE, "{}"))).contains("already has 2 of its 2 sandboxes");
        assertThat(success(rock("POST", "/delete", ALICE, "{\"sandbox_id\": \"" + id + "\"}")).asText()).isEqualTo(id + " deleted");
        assertThat(failed(rock("GET", "/get_status?sandbox_id=" + id, ALICE, null))).contains("no sandbox " + id);
        for (String s : List.of(a, b)) assertThat(success(rock("POST", "/stop", ALICE, "{\"sandbox_id\": \"" + s + "\"}")).asText()).isEqualTo(s + " stopped");
        assertThat(live.call("GET", "/v1/sandboxes", ALICE, null).json().get("sandboxes")).isEmpty();
    }

    @Test
    void theTokensQuotaHoldsOnRocksStart() {
        start(ALICE);
        start(ALICE);
        assertThat(failed(rock("POST", "/start", ALICE, "{}"))).contains("already has 2 of its 2 sandboxes");
    }

    @Test
    void executeRunsAStringAsAShellLineAndAListAsArgv() {
        String id = start(BOB);
        JsonNode line = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"echo $((2+3)) && echo oops >&2\","
                + " \"timeout\": 60, \"env\": {\"X\": \"y\"}, \"cwd\": \"/tmp\", \"shell\": true}"));
        assertThat(line.get("stdout").asText()).isEqualTo("5\n");
        assertThat(line.get("stderr").asText()).isEqualTo("oops\n");
        assertThat(line.get("exit_code").asInt()).isZero();
        JsonNode argv = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": [\"sh\", \"-c\", \"echo $X; pwd\"],"
                + " \"env\": {\"X\": \"y\"}, \"cwd\": \"/tmp\"}"));
        assertThat(argv.get("stdout").asText()).isEqualTo("y\n/tmp\n");
        JsonNode nonzero = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": [\"false\"]}"));
        assertThat(nonzero.get("exit_code").asInt()).as("check is false by default").isEqualTo(1);
        assertThat(failed(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"exit 3\", \"check\": true,"
                + " \"error_msg\": \"setup\"}"))).startsWith("setup: ").contains("exited 3");
        assertThat(failed(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\"}"))).contains("command: is required");
        assertThat(failed(rock("POST", "/execute", BOB, "{\"command\": \"ls\"}"))).contains("sandbox_id: is required");
        assertThat(failed(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": 7}"))).contains("command");
    }

    @Test
    void aForbiddenCommandIsKilledByTheMonitorAndTheSandboxRefusesMore() {
        String id = start(BOB);
        JsonNode killed = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\","
                + " \"command\": [\"ssh\", \"-N\", \"-R\", \"2222:localhost:22\", \"x@203.0.113.9\"]}"));
        assertThat(killed.get("killed").asBoolean()).isTrue();
        assertThat(killed.get("reason").asText()).isEqualTo("tunnel.ssh.remote-forward");
        assertThat(killed.get("events").get(0).get("rule").asText()).isEqualTo("tunnel.ssh.remote-forward");
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + id, BOB, null)).get("is_alive").asBoolean()).isFalse();
        JsonNode status = success(rock("GET", "/get_status?sandbox_id=" + id, BOB, null));
        assertThat(status.get("status").get("docker_run").get("status").asText()).isEqualTo("failed");
        assertThat(status.get("kill_reason").asText()).contains("tunnel.ssh.remote-forward");
        assertThat(failed(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"ls\"}"))).contains("killed");
        assertThat(success(rock("POST", "/delete", BOB, "{\"sandbox_id\": \"" + id + "\"}")).asText()).as("a killed sandbox is stopped").endsWith("deleted");
    }

    @Test
    void aNamedSessionKeepsItsShellStateUntilClosed() {
        String id = start(BOB);
        JsonNode made = success(rock("POST", "/create_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"startup_source\": [],"
                + " \"env_enable\": true, \"env\": {\"GREETING\": \"it's me\"}}"));
        assertThat(made.get("session_type").asText()).isEqualTo("bash");
        success(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"command\": \"cd /tmp && A=1\","
                + " \"action_type\": \"bash\", \"check\": \"raise\"}"));
        JsonNode obs = success(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\","
                + " \"command\": \"echo $PWD $A $GREETING\", \"timeout\": 30}"));
        assertThat(obs.get("output").asText()).isEqualTo("/tmp 1 it's me\n");
        assertThat(obs.get("exit_code").asInt()).isZero();
        assertThat(obs.get("session_type").asText()).isEqualTo("bash");
        assertThat(obs.get("failure_reason").asText()).isEmpty();

        assertThat(failed(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"command\": \"false\"}")))
                .as("check 'raise' is ROCK's default").contains("exited 1");
        JsonNode ignored = success(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"command\": \"false\","
                + " \"check\": \"ignore\"}"));
        assertThat(ignored.get("exit_code").asInt()).isEqualTo(1);

        assertThat(failed(rock("POST", "/create_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\"}"))).contains("already exists");
        assertThat(failed(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"ls\"}")))
                .as("the 'default' session was never made").contains("no session 'default'");
        assertThat(success(rock("POST", "/close_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"session_type\": \"bash\"}"))
                .get("session_type").asText()).isEqualTo("bash");
        assertThat(failed(rock("POST", "/run_in_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\", \"command\": \"ls\"}")))
                .contains("no session 's1'");
        assertThat(failed(rock("POST", "/close_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"session\": \"s1\"}"))).contains("no session");
        assertThat(failed(rock("POST", "/create_session", BOB, "{\"sandbox_id\": \"" + id + "\", \"env\": {\"A B\": \"x\"}}"))).contains("env.A B");
    }

    @Test
    void filesAreWrittenReadAndUploadedAsRocksModelsSay() {
        String id = start(BOB);
        JsonNode wrote = success(rock("POST", "/write_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/a.txt\","
                + " \"content\": \"héllo\\n\"}"));
        assertThat(wrote.get("success").asBoolean()).isTrue();
        assertThat(success(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/a.txt\"}")).get("content").asText())
                .isEqualTo("héllo\n");
        assertThat(success(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/a.txt\", \"encoding\": \"latin-1\"}"))
                .get("content").asText()).isEqualTo("hÃ©llo\n");

        success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"printf 'a\\\\377b' > /workspace/bin\"}"));
        assertThat(failed(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/bin\"}"))).contains("not UTF-8 text");
        assertThat(success(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/bin\", \"errors\": \"replace\"}"))
                .get("content").asText()).isEqualTo("a\uFFFDb");
        assertThat(failed(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/nope\"}"))).isNotBlank();
        assertThat(failed(rock("POST", "/write_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/etc/passwd\", \"content\": \"x\"}")))
                .contains("/etc/passwd");

        JsonNode uploaded = success(multipart(id, "/workspace/up/data.bin", "data.bin", new byte[] {1, 2, 3, 'z'}));
        assertThat(uploaded.get("success").asBoolean()).isTrue();
        assertThat(uploaded.get("file_name").asText()).isEqualTo("data.bin");
        JsonNode listed = live.call("GET", "/v1/sandboxes/" + aleId(BOB, id) + "/files/list?path=/workspace/up", BOB, null).json();
        assertThat(listed.get("entries").get(0).get("size").asLong()).isEqualTo(4);
        assertThat(failed(rock("POST", "/upload", BOB, "{\"sandbox_id\": \"" + id + "\"}"))).contains("multipart/form-data");
        assertThat(failed(multipart(id, "", "data.bin", new byte[] {1}))).contains("target_path: is required");
        assertThat(failed(multipart("", "/workspace/x", "data.bin", new byte[] {1}))).contains("sandbox_id: is required");
        assertThat(failed(multipart("rock-nope", "/workspace/x", "data.bin", new byte[] {1}))).contains("no sandbox rock-nope");
        assertThat(failed(multipart(id, "/etc/x", "data.bin", new byte[] {1}))).contains("/etc/x");

        // over the server's per-file limit: Failed over HTTP 200, which ROCK's SDK turns into success=False, not a 413 it would raise
        String huge = "x".repeat((16 << 20) + 1);
        assertThat(failed(rock("POST", "/write_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/h\", \"content\": \"" + huge + "\"}")))
                .contains("over the limit of " + (16 << 20) + " bytes");
    }

    private static LiveServer.Reply multipart(String id, String target, String filename, byte[] content) {
        String boundary = "----ale" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"target_path\"\r\n\r\n" + target + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"sandbox_id\"\r\n\r\n" + id + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(live.uri(V1 + "/upload")).header("XRL-Authorization", "Bearer " + BOB)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    @Test
    void withoutAValidTokenTheAnswerIs401InRocksEnvelope() {
        LiveServer.Reply none = rock("POST", "/start", null, "{}");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("status").asText()).isEqualTo("Failed");
        assertThat(none.json().get("error").asText()).contains("bearer token");
        assertThat(rock("POST", "/start", "not-a-token-at-all-x", "{}").status()).isEqualTo(401);
        LiveServer.Reply ale = live.call("POST", V1 + "/start", BOB, "{}");
        assertThat(success(ale).get("sandbox_id").asText()).as("ALE's Authorization header works here too").isNotBlank();
        HttpRequest apiKey = HttpRequest.newBuilder(live.uri(V1 + "/start")).header("X-API-Key", BOB).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertThat(success(send(apiKey)).get("sandbox_id").asText()).as("ROCK's X-API-Key, the bare token").isNotBlank();
        HttpRequest wrongKey = HttpRequest.newBuilder(live.uri(V1 + "/start")).header("X-API-Key", "not-a-token-at-all-x")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertThat(send(wrongKey).status()).isEqualTo(401);
        HttpRequest apiKeyOnAleRoute = HttpRequest.newBuilder(live.uri("/v1/sandboxes")).header("X-API-Key", BOB).GET().build();
        assertThat(send(apiKeyOnAleRoute).status()).as("ALE's own routes take no X-API-Key").isEqualTo(401);
        HttpRequest xrlOnAleRoute = HttpRequest.newBuilder(live.uri("/v1/sandboxes")).header("XRL-Authorization", "Bearer " + BOB).GET().build();
        assertThat(send(xrlOnAleRoute).status()).as("and XRL-Authorization on ALE's routes").isEqualTo(200);
    }

    @Test
    void anotherTokensSandboxIsUnknownOnEveryRoute() {
        String id = start(BOB);
        assertThat(failed(rock("GET", "/get_status?sandbox_id=" + id, ALICE, null))).isEqualTo("no sandbox " + id);
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + id, ALICE, null)).get("is_alive").asBoolean()).isFalse();
        assertThat(failed(rock("POST", "/execute", ALICE, "{\"sandbox_id\": \"" + id + "\", \"command\": \"ls\"}"))).isEqualTo("no sandbox " + id);
        assertThat(failed(rock("POST", "/stop", ALICE, "{\"sandbox_id\": \"" + id + "\"}"))).isEqualTo("no sandbox " + id);
        assertThat(success(rock("POST", "/delete", ALICE, "{\"sandbox_id\": \"" + id + "\"}")).asText()).endsWith("deleted");
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + id, BOB, null)).get("is_alive").asBoolean()).as("still bob's, still alive").isTrue();
        assertThat(success(rock("GET", "/get_status?sandbox_id=" + id, ADMIN, null)).get("user_id").asText()).isEqualTo("bob");
    }

    @Test
    void routesALEDoesNotOfferAnswerFailedWithWhy() {
        String id = start(BOB);
        assertThat(failed(rock("POST", "/commit", BOB, "{\"sandbox_id\": \"" + id + "\", \"image_tag\": \"r/x:1\", \"username\": \"u\", \"password\": \"p\"}")))
                .contains("does not commit");
        assertThat(failed(rock("GET", "/proxy/" + id + "/api/v1/x", BOB, null))).contains("does not proxy");
        assertThat(failed(rock("POST", "/proxy/" + id + "/a/b", BOB, "{}"))).contains("does not proxy");
        assertThat(failed(rock("POST", "/restart", BOB, "{\"sandbox_id\": \"" + id + "\"}"))).contains("does not restart");
        assertThat(failed(rock("GET", "/get_token", BOB, null))).contains("upload");
        assertThat(failed(rock("POST", "/sandboxes/" + id + "/restart", BOB, null))).contains("does not restart");
        assertThat(failed(rock("POST", "/sandboxes/" + id + "/archive", BOB, null))).contains("does not archive");
        assertThat(failed(rock("GET", "/sandboxes/" + id + "/mount-infos", BOB, null))).contains("does not mount");
        assertThat(failed(rock("GET", "/get_sandbox_statistics?sandbox_id=" + id, BOB, null))).contains("/metrics");
        assertThat(failed(rock("GET", "/get_nacos_config", BOB, null))).contains("no Nacos");
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + id, BOB, null)).get("is_alive").asBoolean()).as("none of them touched it").isTrue();
        assertThat(failed(rock("GET", "/get_status", BOB, null))).contains("sandbox_id");
        LiveServer.Reply wrongMethod = rock("GET", "/start", BOB, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("status").asText()).isEqualTo("Failed");
    }

    /**
     * ROCK's models ignore fields they do not declare; so do ALE's ROCK routes, every one of them, and each
     * ignored field is a warning in the server's log naming the route and the field (ALE's own routes refuse it).
     */
    @Test
    void everyRocksRouteIgnoresAnUnknownFieldAndLogsAWarningNamingIt() throws Exception {
        List<String> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    synchronized (warnings) {
                        warnings.add(r.getMessage());
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.ale.server.rock.RockFields");
        logger.addHandler(capture);
        try {
            String extra = "\"x_newer_sdk_field\": {\"a\": 1}";
            String id = success(rock("POST", "/start_async", BOB, "{\"image\": \"\", " + extra + "}")).get("sandbox_id").asText();
            awaitStatus(BOB, id, "success");
            String sid = "\"sandbox_id\": \"" + id + "\", " + extra;
            success(rock("POST", "/execute", BOB, "{" + sid + ", \"command\": \"true\"}"));
            success(rock("POST", "/create_session", BOB, "{" + sid + ", \"session\": \"s\", \"response_limited_bytes_in_nohup\": 10}"));
            success(rock("POST", "/run_in_session", BOB, "{" + sid + ", \"session\": \"s\", \"command\": \"true\"}"));
            success(rock("POST", "/close_session", BOB, "{" + sid + ", \"session\": \"s\"}"));
            success(rock("POST", "/write_file", BOB, "{" + sid + ", \"path\": \"/workspace/f\", \"content\": \"x\"}"));
            success(rock("POST", "/read_file", BOB, "{" + sid + ", \"path\": \"/workspace/f\"}"));
            success(rock("POST", "/stop", BOB, "{" + sid + "}"));
            success(rock("POST", "/delete", BOB, "{" + sid + "}"));
        } finally {
            logger.removeHandler(capture);
        }
        synchronized (warnings) {
            for (String route : List.of("start_async", "execute", "create_session", "run_in_session", "close_session", "write_file", "read_file",
                    "stop", "delete")) {
                assertThat(warnings).as("a warning for %s", route)
                        .anyMatch(w -> w.startsWith("ROCK " + route + ":") && w.contains("x_newer_sdk_field"));
            }
            assertThat(warnings).anyMatch(w -> w.startsWith("ROCK create_session:") && w.contains("response_limited_bytes_in_nohup"));
        }
        assertThat(live.call("POST", "/v1/sandboxes", BOB, "{\"x_newer_sdk_field\": 1}").status()).as("ALE's own route stays strict").isEqualTo(400);
    }

    /**
     * ROCK's SandboxGroup starts its sandboxes concurrently (start_async, then get_status until alive), retries
     * a start that fails, and stops them all at the end ignoring failures. Over ALE: the group's starts run at
     * once and each gets its own sandbox; a group larger than the token's quota fails its extra starts with the
     * quota named (what the SDK's retries then raise); stopping the group stops every one.
     */
    @Test
    void aSandboxGroupStartsConcurrentlyWithinTheQuotaAndStopsEveryOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) starts.add(pool.submit(() -> start(BOB)));
            List<String> group = new ArrayList<>();
            for (Future<String> f : starts) group.add(f.get());
            assertThat(group).doesNotHaveDuplicates();
            List<String> ales = group.stream().map(id -> aleId(BOB, id)).toList();
            assertThat(ales).doesNotHaveDuplicates();
            for (String id : group) {
                JsonNode ran = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"echo " + id + " > /workspace/me\"}"));
                assertThat(ran.get("exit_code").asInt()).isZero();
            }
            for (String id : group) {
                assertThat(success(rock("POST", "/read_file", BOB, "{\"sandbox_id\": \"" + id + "\", \"path\": \"/workspace/me\"}")).get("content").asText())
                        .as("each member its own sandbox").isEqualTo(id + "\n");
            }
            List<Future<LiveServer.Reply>> stops = new ArrayList<>();
            for (String id : group) stops.add(pool.submit(() -> rock("POST", "/stop", BOB, "{\"sandbox_id\": \"" + id + "\"}")));
            for (Future<LiveServer.Reply> f : stops) assertThat(success(f.get()).asText()).endsWith(" stopped");
            assertThat(live.call("GET", "/v1/sandboxes", BOB, null).json().get("sandboxes")).isEmpty();

            // alice may hold two: a group of three gets two sandboxes, and the third start is Failed naming the quota
            List<Future<LiveServer.Reply>> over = new ArrayList<>();
            for (int i = 0; i < 3; i++) over.add(pool.submit(() -> rock("POST", "/start_async", ALICE, "{\"image\": \"\"}")));
            List<String> started = new ArrayList<>();
            List<String> refusals = new ArrayList<>();
            for (Future<LiveServer.Reply> f : over) {
                JsonNode json = f.get().json();
                if (json.get("status").asText().equals("Success")) started.add(json.get("result").get("sandbox_id").asText());
                else refusals.add(json.get("error").asText());
            }
            assertThat(started).hasSize(2);
            assertThat(refusals).singleElement().asString().contains("already has 2 of its 2 sandboxes");
            // as the group does at its end: a start still being made when the test ended held alice's slots into the next test
            for (String id : started) {
                awaitStatus(ALICE, id, "success");
                assertThat(success(rock("POST", "/stop", ALICE, "{\"sandbox_id\": \"" + id + "\"}")).asText()).isEqualTo(id + " stopped");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * ROCK's {@code arun(mode="nohup")}: in a session, {@code nohup CMD < /dev/null > FILE 2>&1 & echo PID;disown},
     * then {@code kill -0 PID} (check raise) until it is Failed, then {@code cat FILE}. The background process
     * outlives the call that started it and its output is read afterwards.
     */
    @Test
    void arunsNohupModeRunsABackgroundCommandThatOutlivesItsCall() throws Exception {
        String id = start(BOB);
        String sid = "\"sandbox_id\": \"" + id + "\"";
        success(rock("POST", "/create_session", BOB, "{" + sid + ", \"session\": \"bash-1\"}"));
        JsonNode started = success(rock("POST", "/run_in_session", BOB, "{" + sid + ", \"session\": \"bash-1\", \"timeout\": 30,"
                + " \"command\": \"nohup sh -c 'sleep 2; echo finished' < /dev/null > /tmp/job.out 2>&1 & echo PID=${!}=PID;disown\"}"));
        Matcher pid = Pattern.compile("PID=(\\d+)=PID").matcher(started.get("output").asText());
        assertThat(pid.find()).as(started.toString()).isTrue();
        String check = "{" + sid + ", \"session\": \"bash-1\", \"command\": \"kill -0 " + pid.group(1) + "\"}";
        assertThat(success(rock("POST", "/run_in_session", BOB, check)).get("exit_code").asInt()).as("still running after its call").isZero();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (rock("POST", "/run_in_session", BOB, check).json().get("status").asText().equals("Success")) {
            assertThat(System.nanoTime()).as("the job still runs after a minute").isLessThan(deadline);
            Thread.sleep(200);
        }
        JsonNode out = success(rock("POST", "/run_in_session", BOB, "{" + sid + ", \"session\": \"bash-1\", \"command\": \"cat /tmp/job.out\"}"));
        assertThat(out.get("output").asText()).isEqualTo("finished\n");
    }

    /** ROCK's list and batch status: the caller's own sandboxes, as get_status reports each, filtered and paged as ROCK's query says. */
    @Test
    void listAndBatchStatusShowOnlyTheCallersSandboxesFilteredAndPaged() {
        String a = start(BOB);
        String b = start(BOB);
        String alices = start(ALICE);
        JsonNode batch = success(rock("POST", "/sandboxes/batch", BOB, "{\"sandbox_ids\": [\"" + b + "\", \"" + a + "\", \"" + alices + "\", \"rock-nope\","
                + " \"" + a + "\"], \"x_newer_sdk_field\": 1}"));
        assertThat(batch.get("statuses")).extracting(n -> n.get("sandbox_id").asText()).as("another token's and unknown ids left out").containsExactly(b, a);
        assertThat(batch.get("statuses").get(0).get("is_alive").asBoolean()).isTrue();
        assertThat(batch.get("statuses").get(0).get("user_id").asText()).isEqualTo("bob");

        JsonNode all = success(rock("GET", "/sandboxes", BOB, null));
        assertThat(all.get("items")).extracting(n -> n.get("sandbox_id").asText()).as("oldest first").containsExactly(a, b);
        assertThat(all.get("total").asInt()).isEqualTo(2);
        assertThat(all.get("has_more").asBoolean()).isFalse();
        JsonNode first = success(rock("GET", "/sandboxes?page=1&page_size=1", BOB, null));
        assertThat(first.get("items")).extracting(n -> n.get("sandbox_id").asText()).containsExactly(a);
        assertThat(first.get("has_more").asBoolean()).isTrue();
        JsonNode second = success(rock("GET", "/sandboxes?page=2&page_size=1", BOB, null));
        assertThat(second.get("items")).extracting(n -> n.get("sandbox_id").asText()).containsExactly(b);
        assertThat(second.get("has_more").asBoolean()).isFalse();
        assertThat(success(rock("GET", "/sandboxes?state=running", BOB, null)).get("total").asInt()).isEqualTo(2);
        assertThat(success(rock("GET", "/sandboxes?image=python:3.11", BOB, null)).get("total").asInt()).isZero();
        assertThat(success(rock("GET", "/sandboxes?experiment_id=e1", BOB, null)).get("total").asInt()).isZero();
        assertThat(success(rock("GET", "/sandboxes?user_id=alice", ADMIN, null)).get("items"))
                .extracting(n -> n.get("sandbox_id").asText()).as("an admin sees every token's").containsExactly(alices);

        assertThat(failed(rock("GET", "/sandboxes?page=0", BOB, null))).contains("page").contains("'0'");
        assertThat(failed(rock("GET", "/sandboxes?page_size=x", BOB, null))).contains("page_size");
        assertThat(failed(rock("POST", "/sandboxes/batch", BOB, "{}"))).contains("sandbox_ids: is required");
        assertThat(failed(rock("POST", "/sandboxes/batch", BOB, "{\"sandbox_ids\": \"" + a + "\"}"))).contains("sandbox_ids");
        String many = "\"x\", ".repeat(1000) + "\"x\"";
        assertThat(failed(rock("POST", "/sandboxes/batch", BOB, "{\"sandbox_ids\": [" + many + "]}"))).contains("at most 1000");
        assertThat(success(rock("GET", "/is_alive?sandbox_id=" + a, BOB, null)).get("is_alive").asBoolean()).isTrue();
    }

    /** ROCK's disk is the sandbox's workspace (bounded by the passport for an env token), limit_cpus its hard CPU limit; a GPU needs a passport that grants one. */
    @Test
    void diskLimitCpusAndGpusMapOntoThePassport() {
        JsonNode small = success(rock("POST", "/start", BOB, "{\"disk\": \"2m\", \"limit_cpus\": 0.5, \"cpus\": 1}"));
        assertThat(small.get("disk").asText()).isEqualTo("2m");
        assertThat(small.get("cpus").asDouble()).as("limit_cpus is the hard limit ALE sets").isEqualTo(0.5);
        String id = small.get("sandbox_id").asText();
        assertThat(success(rock("GET", "/get_status?sandbox_id=" + id, BOB, null)).get("disk").asText()).isEqualTo("2m");
        JsonNode full = success(rock("POST", "/execute", BOB, "{\"sandbox_id\": \"" + id + "\", \"command\": \"head -c 3000000 /dev/zero > /workspace/big\"}"));
        assertThat(full.get("exit_code").asInt()).as("a 2m workspace holds no 3 MB file").isNotZero();
        assertThat(full.get("stderr").asText()).contains("No space left");

        String defaultDisk = success(rock("POST", "/start", BOB, "{}")).get("disk").asText();
        assertThat(success(rock("POST", "/start", BOB, "{\"disk\": \"50G\"}")).get("disk").asText())
                .as("ROCK's default 50G is capped at the passport's workspace for an env token").isEqualTo(defaultDisk).isNotEqualTo("50g");
        assertThat(failed(rock("POST", "/start", BOB, "{\"disk\": \"lots\"}"))).contains("disk: 'lots' is not a size");
        assertThat(failed(rock("POST", "/start", BOB, "{\"disk\": \"512k\"}"))).contains("disk: at least 1m");
        assertThat(failed(rock("POST", "/start", BOB, "{\"limit_cpus\": 0}"))).contains("limit_cpus: must be a positive number");
        assertThat(failed(rock("POST", "/start", BOB, "{\"num_gpus\": 1}"))).contains("num_gpus").contains("grants no GPU");
    }
}
