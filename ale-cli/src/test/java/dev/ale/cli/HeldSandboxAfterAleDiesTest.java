package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sandbox frozen by a run-time hold when its {@code ale serve} dies by SIGKILL (nothing of ALE
 * runs to thaw it): {@code ale sandbox gc} kills, thaws and removes it, and no process of it is
 * left, frozen or not.
 */
@Tag("root")
@Timeout(300)
class HeldSandboxAfterAleDiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where a sandbox's freeze is set: the v1 freezer hierarchy, else the cgroup2 mount (a v2 host). */
    private static final Path FREEZER = Files.isDirectory(Path.of("/sys/fs/cgroup/freezer")) ? Path.of("/sys/fs/cgroup/freezer") : Path.of("/sys/fs/cgroup");
    /** A busy loop the sweep finds by its name at run time (the pre-exec check sees no miner in this line). */
    private static final String HIDDEN_MINER = "n=$(printf 'xm%s' rig); cp /bin/dash /tmp/$n; /tmp/$n -c 'while :; do :; done'";

    /** A running {@code ale serve} with one sandbox frozen by a pending run-time hold. */
    private record Held(Process serve, String id, Path cgroup, List<Long> pids) {
    }

    private static Held serveWithAFrozenSandbox(Ale ale, List<Process> started) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--data-dir", ale.dataDir().toString(), "serve", "--port", "0", "--out", ale.dataDir().resolve("runs").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(serve);
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        Matcher token = Pattern.compile("admin token \\(also in (\\S+)\\): (\\S+)").matcher(out.readLine());
        assertThat(token.find()).isTrue();
        Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.readLine());
        assertThat(url.find()).isTrue();
        String server = url.group(1);
        String admin = token.group(2);
        HttpClient http = HttpClient.newHttpClient();
        String passport = "{\"passport\": \"id: held-miner\\ndetectors:\\n  mining: {action: hold}\\nhold: {deadline: 10m}\\n\"}";
        String id = JSON.readTree(send(http, "POST", server + "/v1/sandboxes", admin, passport).body()).get("id").asText();
        // the call runs the loop in the foreground; it never returns, for ALE stops under it
        CompletableFuture.runAsync(() -> send(http, "POST", server + "/v1/sandboxes/" + id + "/exec", admin,
                JSON.createObjectNode().put("command", HIDDEN_MINER).put("timeout_seconds", 240).toString()));

        await().atMost(Duration.ofSeconds(60)).until(() -> pendingRuntimeHold(http, server, admin, id));
        Path cgroup = await().atMost(Duration.ofSeconds(20)).until(() -> freezerOf(id), Optional::isPresent).orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> frozen(cgroup));
        List<Long> pids = Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().map(Long::parseLong).toList();
        assertThat(pids).as("the frozen sandbox's processes").isNotEmpty();
        return new Held(serve, id, cgroup, pids);
    }

    @Test
    void aSandboxFrozenByAHoldWhenAleServeIsKilledIsNeitherFrozenNorRunningAfterGc() throws Exception {
        List<Process> started = new ArrayList<>();
        try (Ale ale = Ale.withFreshDataDir()) {
            try {
                Held held = serveWithAFrozenSandbox(ale, started);

                held.serve().destroyForcibly();
                assertThat(held.serve().waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(held.serve().exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
                assertThat(frozen(held.cgroup())).as("nothing of the dead ALE thawed it").isTrue();

                Ale.Result gc = ale.run("sandbox", "gc");

                assertThat(gc.exit()).as(gc.err()).isZero();
                assertThat(gc.out()).contains("removed " + held.id());
                assertNothingLeftOf(held);
            } finally {
                stop(started);
                ale.run("sandbox", "gc");
            }
        }
    }

    @Test
    void aSandboxFrozenByAHoldWhenAleServeIsStoppedWithSigtermIsGoneWhenItExits() throws Exception {
        List<Process> started = new ArrayList<>();
        try (Ale ale = Ale.withFreshDataDir()) {
            try {
                Held held = serveWithAFrozenSandbox(ale, started);

                held.serve().destroy();
                assertThat(held.serve().waitFor(120, TimeUnit.SECONDS)).isTrue();

                // no gc: the stopping ALE denied the hold and removed the sandbox itself
                assertNothingLeftOf(held);
            } finally {
                stop(started);
                ale.run("sandbox", "gc");
            }
        }
    }

    private static void assertNothingLeftOf(Held held) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(held.cgroup()).as("its freezer cgroup").doesNotExist());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(held.pids())
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process " + pid).isEmpty()));
    }

    private static void stop(List<Process> started) throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static boolean pendingRuntimeHold(HttpClient http, String server, String admin, String id) throws IOException {
        for (JsonNode h : JSON.readTree(send(http, "GET", server + "/holds", admin, "").body())) {
            if (h.get("sandboxId").asText().equals(id) && h.get("kind").asText().equals("runtime") && h.get("state").asText().equals("pending")) {
                return true;
            }
        }
        return false;
    }

    private static boolean frozen(Path cgroup) throws IOException {
        Path v1 = cgroup.resolve("freezer.state");
        return Files.exists(v1) ? Files.readString(v1).strip().equals("FROZEN") : Files.readString(cgroup.resolve("cgroup.freeze")).strip().equals("1");
    }

    /** The sandbox's cgroup where its freeze is set, under whatever parent the backend uses. */
    private static Optional<Path> freezerOf(String id) throws IOException {
        try (Stream<Path> walk = Files.walk(FREEZER, 3)) {
            return walk.filter(p -> p.getFileName().toString().equals(id) && Files.isDirectory(p)).findFirst();
        }
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String token, String body) {
        HttpRequest.BodyPublisher publisher = body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).method(method, publisher).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
