package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
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
@Timeout(180)
class SandboxApiTest {

    @RegisterExtension
    static final LiveServer live = new LiveServer();

    @Test
    void aSandboxIsMadeListedShownAndRemoved() {
        LiveServer.Reply created = live.call("POST", "/v1/sandboxes", ALICE, "{\"passport\": \"small\", \"labels\": {\"task\": \"t1\"}, \"idle_timeout_seconds\": 60}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode s = created.json();
        String id = s.get("id").asText();
        assertThat(s.get("passport").asText()).isEqualTo("small");
        assertThat(s.get("owner").asText()).isEqualTo("alice");
        assertThat(s.get("labels").get("task").asText()).isEqualTo("t1");
        assertThat(s.get("idle_timeout_seconds").asLong()).isEqualTo(60);
        assertThat(s.has("created_at")).isTrue();
        assertThat(s.has("expires_at")).isTrue();

        assertThat(live.call("GET", "/v1/sandboxes/" + id, ALICE, null).json().get("state").asText()).isEqualTo("running");
        assertThat(live.call("GET", "/v1/sandboxes", ALICE, null).json().get("sandboxes")).extracting(n -> n.get("id").asText()).containsExactly(id);
        assertThat(live.call("DELETE", "/v1/sandboxes/" + id, ALICE, null).status()).isEqualTo(204);
        assertThat(live.call("GET", "/v1/sandboxes/" + id, ALICE, null).status()).isEqualTo(404);
    }

    @Test
    void aPassportMayComeInlineAsYamlOrAsJson() {
        LiveServer.Reply yaml = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": \"id: inline-yaml\\nresources:\\n  cpus: 1\\n\"}");
        assertThat(yaml.status()).as(yaml.body()).isEqualTo(201);
        assertThat(yaml.json().get("passport").asText()).isEqualTo("inline-yaml");
        LiveServer.Reply json = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": {\"id\": \"inline-json\", \"resources\": {\"cpus\": 1}}}");
        assertThat(json.status()).as(json.body()).isEqualTo(201);
        assertThat(json.json().get("passport").asText()).isEqualTo("inline-json");
        assertThat(live.call("POST", "/v1/sandboxes", BOB, "{\"passport\": \"default\"}").json().get("passport").asText()).isEqualTo("default");
    }

    @Test
    void anEnvTokenMayNotWriteItsOwnPassport() {
        LiveServer.Reply loosened = live.call("POST", "/v1/sandboxes", BOB,
                "{\"passport\": {\"id\": \"mine\", \"egress\": {\"agent\": [{\"domain\": \"*.example.com\", \"ports\": [443]}]}}}");
        LiveServer.Reply yaml = live.call("POST", "/v1/sandboxes", BOB, "{\"passport\": \"id: mine\\n\"}");

        assertError(loosened, 403, "forbidden", "inline passport needs an admin token");
        assertError(yaml, 403, "forbidden", "inline passport needs an admin token");
        assertThat(live.call("GET", "/v1/sandboxes", BOB, null).json().get("sandboxes")).isEmpty();
    }

    @Test
    void aBadPassportIsA400ThatSaysWhy() {
        LiveServer.Reply unknown = live.call("POST", "/v1/sandboxes", BOB, "{\"passport\": \"nope\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").path("message").asText()).contains("passport").contains("nope");
        LiveServer.Reply bad = live.call("POST", "/v1/sandboxes", ADMIN, "{\"passport\": {\"resources\": {\"cpus\": \"many\"}}}");
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("invalid_passport");
    }

    @Test
    void execReturnsOutputAndExitCode() {
        String id = live.create(BOB);
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB,
                "{\"argv\": [\"sh\", \"-c\", \"echo out; echo err >&2; cat; exit 3\"], \"stdin\": \"in\\n\", \"timeout_seconds\": 30}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("exit_code").asInt()).isEqualTo(3);
        assertThat(r.json().get("stdout").asText()).isEqualTo("out\nin\n");
        assertThat(r.json().get("stderr").asText()).isEqualTo("err\n");
        assertThat(r.json().get("killed").asBoolean()).isFalse();
        assertThat(r.json().get("events").isArray()).isTrue();

        LiveServer.Reply shell = live.call("POST", "/v1/sandboxes/" + id + "/exec", ADMIN, "{\"command\": \"echo $X\", \"env\": {\"X\": \"y\"}, \"cwd\": \"/tmp\"}");
        assertThat(shell.json().get("stdout").asText()).isEqualTo("y\n");
    }

    @Test
    void execStreamsOutputAsServerSentEventsThenTheResult() throws Exception {
        String id = live.create(BOB);
        List<String> lines = sse("POST", "/v1/sandboxes/" + id + "/exec?stream=true", BOB,
                "{\"command\": \"echo one; echo two >&2; echo three\"}", l -> l.equals("event: result"), 1);
        String all = String.join("\n", lines);
        assertThat(all).contains("event: stdout").contains("event: stderr").contains("event: result");
        assertThat(all).contains("one").contains("two").contains("three");
        String result = lines.getLast();
        assertThat(Bodies.JSON.readTree(result.substring("data: ".length())).get("exit_code").asInt()).isZero();
    }

    @Test
    void aReverseSshTunnelIsKilledBeforeItRunsAndShowsInTheEventStream() throws Exception {
        String id = live.create(BOB);
        LiveServer.Reply r = live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB,
                "{\"argv\": [\"ssh\", \"-N\", \"-R\", \"2222:localhost:22\", \"x@203.0.113.9\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("killed").asBoolean()).isTrue();
        assertThat(r.json().get("reason").asText()).isEqualTo("tunnel.ssh.remote-forward");
        assertThat(r.json().get("events")).extracting(e -> e.get("rule").asText()).contains("tunnel.ssh.remote-forward");

        List<String> lines = sse("GET", "/v1/sandboxes/" + id + "/events", BOB, null, l -> l.contains("tunnel.ssh.remote-forward"), 0);
        assertThat(lines).contains("event: safety_event");
        JsonNode event = Bodies.JSON.readTree(lines.getLast().substring("data: ".length()));
        assertThat(event.get("action").asText()).isEqualTo("kill");

        LiveServer.Reply after = live.call("GET", "/v1/sandboxes/" + id, BOB, null);
        assertThat(after.json().get("state").asText()).isEqualTo("killed");
        assertThat(after.json().get("kill_reason").asText()).isEqualTo("tunnel.ssh.remote-forward");
        LiveServer.Reply refused = live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB, "{\"argv\": [\"true\"]}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("sandbox_not_running");
    }

    @Test
    void theEventStreamShowsNewEventsLive() throws Exception {
        String id = live.create(BOB);
        HttpRequest request = HttpRequest.newBuilder(live.uri("/v1/sandboxes/" + id + "/events")).header("Authorization", "Bearer " + BOB).GET().build();
        HttpResponse<Stream<String>> response = live.http().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (Stream<String> stream = response.body()) {
            live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB, "{\"argv\": [\"ssh\", \"-N\", \"-R\", \"2222:localhost:22\", \"x@203.0.113.9\"]}");
            Iterator<String> it = stream.iterator();
            boolean seen = false;
            while (!seen && it.hasNext()) seen = it.next().contains("tunnel.ssh.remote-forward");
            assertThat(seen).isTrue();
        }
    }

    @Test
    void aSessionKeepsItsDirectoryAndEnvironmentBetweenCommands() {
        String id = live.create(ALICE);
        LiveServer.Reply opened = live.call("POST", "/v1/sandboxes/" + id + "/sessions", ALICE, null);
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        String sid = opened.json().get("session_id").asText();
        String run = "/v1/sandboxes/" + id + "/sessions/" + sid + "/run";
        assertThat(live.call("POST", run, ALICE, "{\"command\": \"cd /tmp && export A=b\", \"timeout_seconds\": 30}").json().get("exit_code").asInt()).isZero();
        LiveServer.Reply r = live.call("POST", run, ALICE, "{\"command\": \"echo $PWD $A\"}");
        assertThat(r.json().get("stdout").asText()).isEqualTo("/tmp b\n");
        assertThat(live.call("POST", run, ALICE, "{}").status()).isEqualTo(400);
        assertThat(live.call("DELETE", "/v1/sandboxes/" + id + "/sessions/" + sid, ALICE, null).status()).isEqualTo(204);
        assertThat(live.call("POST", run, ALICE, "{\"command\": \"true\"}").status()).isEqualTo(404);
        assertThat(live.call("DELETE", "/v1/sandboxes/" + id + "/sessions/" + sid, ALICE, null).status()).isEqualTo(404);
    }

    @Test
    void filesAreWrittenReadListedAndUnpacked() throws Exception {
        String id = live.create(ALICE);
        String base = "/v1/sandboxes/" + id + "/files";
        byte[] content = {0, 1, 2, (byte) 0xff, 'x'};
        LiveServer.Reply put = live.send("PUT", base + "?path=/workspace/dir/a.bin", ALICE, content, "application/octet-stream");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        HttpResponse<byte[]> read = live.http().send(HttpRequest.newBuilder(live.uri(base + "?path=/workspace/dir/a.bin"))
                .header("Authorization", "Bearer " + ALICE).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(content);

        LiveServer.Reply list = live.call("GET", base + "/list?path=/workspace/dir", ALICE, null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("entries")).extracting(e -> e.get("name").asText() + ":" + e.get("type").asText() + ":" + e.get("size").asLong())
                .containsExactly("a.bin:file:5");

        LiveServer.Reply upload = live.send("POST", base + "/upload?path=/workspace/up", ALICE, tar(), "application/x-tar");
        assertThat(upload.status()).as(upload.body()).isEqualTo(200);
        assertThat(live.call("POST", "/v1/sandboxes/" + id + "/exec", ALICE, "{\"command\": \"cat /workspace/up/sub/f.txt\"}").json().get("stdout").asText())
                .isEqualTo("hello\n");

        assertThat(live.call("GET", base + "?path=/workspace/missing", ALICE, null).status()).isEqualTo(400);
        assertThat(live.call("GET", base + "?path=/etc/passwd", ALICE, null).status()).isEqualTo(400);
        assertThat(live.call("GET", base, ALICE, null).status()).isEqualTo(400);
        assertThat(live.send("POST", base + "/upload?path=/etc", ALICE, tar(), "application/x-tar").status()).isEqualTo(400);
        assertThat(live.send("POST", base + "/upload?path=/workspace/x", ALICE, "not a tar".getBytes(StandardCharsets.UTF_8), "application/x-tar").status())
                .isEqualTo(400);
    }

    @Test
    void aFileOver16MiBIsA413() {
        String id = live.create(ALICE);
        LiveServer.Reply r = live.send("PUT", "/v1/sandboxes/" + id + "/files?path=big", ALICE, new byte[(16 << 20) + 1], "application/octet-stream");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("too_large");
        LiveServer.Reply json = live.call("POST", "/v1/sandboxes/" + id + "/exec", ALICE, "{\"command\": \"" + "x".repeat((1 << 20) + 1) + "\"}");
        assertThat(json.status()).isEqualTo(413);
    }

    @Test
    void anEnvTokenSeesOnlyItsOwnSandboxes() {
        String bobs = live.create(BOB);
        String alices = live.create(ALICE);
        assertThat(live.call("GET", "/v1/sandboxes/" + bobs, ALICE, null).status()).isEqualTo(404);
        assertThat(live.call("POST", "/v1/sandboxes/" + bobs + "/exec", ALICE, "{\"argv\": [\"true\"]}").status()).isEqualTo(404);
        assertThat(live.call("DELETE", "/v1/sandboxes/" + bobs, ALICE, null).status()).isEqualTo(404);
        assertThat(live.call("GET", "/v1/sandboxes/" + bobs + "/events", ALICE, null).status()).isEqualTo(404);
        assertThat(live.call("GET", "/v1/sandboxes", ALICE, null).json().get("sandboxes")).extracting(n -> n.get("id").asText()).containsExactly(alices);
        assertThat(live.call("GET", "/v1/sandboxes", ADMIN, null).json().get("sandboxes")).extracting(n -> n.get("id").asText())
                .containsExactlyInAnyOrder(alices, bobs);
        assertThat(live.call("GET", "/v1/sandboxes/" + bobs, ADMIN, null).status()).isEqualTo(200);
        assertThat(live.call("GET", "/v1/sandboxes/" + bobs, BOB, null).status()).isEqualTo(200);
    }

    @Test
    void aTokenPastItsQuotaGets429() {
        live.create(ALICE);
        live.create(ALICE);
        LiveServer.Reply third = live.call("POST", "/v1/sandboxes", ALICE, "{}");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.errorCode()).isEqualTo("quota_exceeded");
        assertThat(live.call("POST", "/v1/sandboxes", BOB, "{}").status()).isEqualTo(201);
    }

    @Test
    void noTokenOrAnUnknownOneIs401() {
        LiveServer.Reply none = live.call("GET", "/v1/sandboxes", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("unauthorized");
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(live.call("POST", "/v1/sandboxes", "wrong-token-0123456789", "{}").status()).isEqualTo(401);
        assertThat(live.call("GET", "/metrics", null, null).status()).isEqualTo(401);
        assertThat(live.call("GET", "/healthz", null, null).status()).isEqualTo(200);
    }

    @Test
    void badInputGetsAJsonErrorNamingTheField() {
        String id = live.create(BOB);
        String exec = "/v1/sandboxes/" + id + "/exec";
        assertError(live.call("POST", exec, BOB, "{not json"), 400, "bad_request", "JSON");
        assertError(live.call("POST", exec, BOB, "[1]"), 400, "bad_request", "object");
        assertError(live.call("POST", exec, BOB, "{\"argv\": \"ls\"}"), 400, "invalid_field", "argv");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [1]}"), 400, "invalid_field", "argv[0]");
        assertError(live.call("POST", exec, BOB, "{\"argv\": []}"), 400, "invalid_field", "argv");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [\"ls\"], \"timeout_seconds\": \"soon\"}"), 400, "invalid_field", "timeout_seconds");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [\"ls\"], \"timeout_seconds\": -1}"), 400, "invalid_field", "timeout_seconds");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [\"ls\"], \"env\": {\"A\": 1}}"), 400, "invalid_field", "env.A");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [\"ls\"], \"bogus\": 1}"), 400, "invalid_field", "bogus");
        assertError(live.call("POST", exec, BOB, "{\"argv\": [\"ls\"], \"command\": \"ls\"}"), 400, "invalid_field", "argv");
        assertError(live.call("POST", exec + "?stream=maybe", BOB, "{\"argv\": [\"ls\"]}"), 400, "invalid_field", "stream");
        assertError(live.call("POST", "/v1/sandboxes", BOB, "{\"labels\": {\"k\": 3}}"), 400, "invalid_field", "labels.k");
        assertError(live.call("POST", "/v1/sandboxes", BOB, "{\"idle_timeout_seconds\": 1e400}"), 400, "invalid_field", "idle_timeout_seconds");
    }

    @Test
    void unknownIdsRoutesAndMethodsAreJsonErrors() {
        assertError(live.call("GET", "/v1/sandboxes/nosuch", BOB, null), 404, "not_found", "nosuch");
        assertError(live.call("POST", "/v1/sandboxes/nosuch/exec", BOB, "{\"argv\": [\"true\"]}"), 404, "not_found", "nosuch");
        LiveServer.Reply route = live.call("GET", "/v1/nothing", BOB, null);
        assertThat(route.status()).isEqualTo(404);
        assertThat(route.errorCode()).isEqualTo("not_found");
        LiveServer.Reply method = live.call("PATCH", "/v1/sandboxes", BOB, "{}");
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.errorCode()).isEqualTo("method_not_allowed");
    }

    @Test
    void anIdleSandboxIsDestroyed() {
        String id = live.call("POST", "/v1/sandboxes", BOB, "{\"idle_timeout_seconds\": 0.5}").json().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> live.server().sandboxCount() == 0);
        assertThat(live.call("GET", "/v1/sandboxes/" + id, BOB, null).status()).isEqualTo(404);
    }

    @Test
    void metricsAndHealthSpeakTheirFormats() {
        String id = live.create(BOB);
        live.call("POST", "/v1/sandboxes/" + id + "/exec", BOB, "{\"argv\": [\"ssh\", \"-N\", \"-R\", \"2222:localhost:22\", \"x@203.0.113.9\"]}");
        LiveServer.Reply metrics = live.call("GET", "/metrics", BOB, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body()).contains("ale_sandboxes_active").contains("ale_sandbox_creations_total")
                .contains("ale_exec_duration_seconds_bucket").containsPattern("ale_safety_events_total\\{.*action=\"kill\".*\\}");
        LiveServer.Reply health = live.call("GET", "/healthz", null, null);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
    }

    private static void assertError(LiveServer.Reply r, int status, String code, String mentions) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.body()).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asText()).as(r.body()).contains(mentions);
    }

    /** Lines of an event stream up to and including the {@code extra}th line after the first that {@code stop} accepts. */
    private static List<String> sse(String method, String path, String token, String body, java.util.function.Predicate<String> stop, int extra)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(live.uri(path)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<Stream<String>> response = live.http().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        try (Stream<String> stream = response.body()) {
            Iterator<String> it = stream.iterator();
            int after = -1;
            while (it.hasNext() && after < extra) {
                String line = it.next();
                lines.add(line);
                if (after >= 0) after++;
                else if (stop.test(line)) after = 0;
            }
        }
        return lines;
    }

    private static byte[] tar() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ale-tar");
        try {
            Files.createDirectories(dir.resolve("sub"));
            Files.writeString(dir.resolve("sub/f.txt"), "hello\n");
            Process p = new ProcessBuilder("tar", "-C", dir.toString(), "-cf", "-", ".").start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertThat(p.waitFor()).isZero();
            return out.toByteArray();
        } finally {
            Files.deleteIfExists(dir.resolve("sub/f.txt"));
            Files.deleteIfExists(dir.resolve("sub"));
            Files.deleteIfExists(dir);
        }
    }
}
