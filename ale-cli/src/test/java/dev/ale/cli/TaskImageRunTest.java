package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ale run} on tasks whose Dockerfile builds their image (RUN, COPY, WORKDIR /app), end to
 * end: the base image made offline from this host's tools and imported, the task's image built by
 * ALE's builder in guarded sandboxes (cached by step), the episode run as root in /app of it, and
 * the task's answers kept out of both the image and the agent's reach.
 */
@Tag("root")
class TaskImageRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path EXAMPLE = Path.of("..", "tasks", "images", "app-inventory").toAbsolutePath().normalize();
    private static Ale ale;

    @BeforeAll
    static void baseImage() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        ale = Ale.withFreshDataDir();
        Path root = Files.createTempDirectory(Path.of("/tmp"), "ale-tools-root");
        try {
            Process make = new ProcessBuilder("sh", Path.of("..", "scripts", "tools-rootfs.sh").toString(), root.toString()).inheritIO().start();
            assertThat(make.waitFor()).isZero();
            Path tar = ale.dataDir().resolve("tools.tar");
            Process pack = new ProcessBuilder("tar", "--numeric-owner", "-C", root.toString(), "-cf", tar.toString(), ".").inheritIO().start();
            assertThat(pack.waitFor()).isZero();
            Ale.Result r = ale.run("image", "import", tar.toString(), "ale.local/tools:1");
            assertThat(r.exit()).as(r.err()).isZero();
            Files.delete(tar);
        } finally {
            delete(root);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (ale != null) ale.close();
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static List<JsonNode> episodes(Path out) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> runs = Files.list(out)) {
            for (Path run : runs.filter(Files::isDirectory).sorted().toList()) {
                for (String l : Files.readAllLines(run.resolve("episodes.jsonl"))) all.add(JSON.readTree(l));
            }
        }
        return all;
    }

    /** The shell observations of an episode, in order. */
    static List<String> observations(JsonNode episode) {
        List<String> seen = new ArrayList<>();
        for (JsonNode step : episode.path("steps")) {
            for (JsonNode call : step.path("tool_calls")) {
                if (call.path("name").asText().equals("shell")) seen.add(call.path("observation").asText());
            }
        }
        return seen;
    }

    @Test
    void theExampleIsBuiltAndRunsAsRootInAppItsSolutionPassesItsWrongAttemptFailsAndARerunBuildsNothing(@TempDir Path out)
            throws IOException {
        Ale.Result first = ale.run("run", EXAMPLE.toString(), "--policy", "replay", "--out", out.resolve("a").toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("app-inventory: building its image", "  RUN chmod 0755 /usr/local/bin/inventory-check \\\n",
                "(4 steps run, 0 from the cache, 1 sandboxes)");
        assertThat(episodes(out.resolve("a")).getFirst().path("passed").asBoolean()).isTrue();

        // the verifier itself checks it runs as uid 0 in /app, and that the image's RUN ran as root
        Ale.Result again = ale.run("run", EXAMPLE.toString(), "--policy", "replay", "--out", out.resolve("b").toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).contains("(0 steps run, 4 from the cache, 0 sandboxes)").doesNotContain("-> layer");

        Path script = out.resolve("wrong.yaml");
        Files.writeString(script, "- tool: shell\n  arguments: " + JSON.writeValueAsString(JSON.createObjectNode()
                .put("command", Files.readString(EXAMPLE.resolve("wrong.sh")))) + "\n");
        Ale.Result wrong = ale.run("run", EXAMPLE.toString(), "--policy", "scripted", "--script", script.toString(),
                "--out", out.resolve("c").toString());
        assertThat(wrong.exit()).as(wrong.err()).isZero();
        JsonNode failed = episodes(out.resolve("c")).getFirst();
        assertThat(failed.path("passed").asBoolean()).isFalse();
        assertThat(wrong.err()).contains("cause: verifier exited 1: garden 15 | paint 5 | tools 9");
        assertThat(ale.listed()).isEmpty();
    }

    @Test
    void anAgentSearchingItsImageFindsNeitherSolutionNorTestsWhichTheVerifierThenSees(@TempDir Path tmp) throws IOException {
        String marker = "SECRET_MARKER_" + UUID.randomUUID().toString().replace("-", "");
        Path dir = tmp.resolve("image-probe");
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("task.yaml"), "instruction: Find the answers if you can.\n");
        // COPY . takes the whole directory: only the withholding keeps the answers out of the image
        Files.writeString(dir.resolve("Dockerfile"), "FROM ale.local/tools:1\nWORKDIR /app\nCOPY . /app/\nRUN ls /app > /app/listed\n");
        Files.writeString(dir.resolve("notes.txt"), "a file the agent may see\n");
        Files.writeString(dir.resolve("solution.sh"), "#!/bin/bash\n# " + marker + "\ntrue\n");
        Files.writeString(dir.resolve("tests/test_secret.txt"), marker + "\n");
        Files.writeString(dir.resolve("run-tests.sh"), "#!/bin/bash\n# " + marker + "\ngrep -q " + marker + " \"$TEST_DIR/test_secret.txt\"\n");
        // the marker is written in two pieces, so the command itself never holds it
        String half = marker.substring(0, 20);
        String rest = marker.substring(20);
        Path script = tmp.resolve("probe.yaml");
        Files.writeString(script, String.join("\n",
                "- tool: shell",
                "  arguments: " + command("grep -rl --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev \"" + half + "\"\"" + rest
                        + "\" / 2>/dev/null; echo grep-done"),
                "- tool: shell",
                "  arguments: " + command("ls -A /app; cat /app/listed; find / -xdev \\( -name solution.sh -o -name run-tests.sh"
                        + " -o -name 'test_secret*' \\) 2>/dev/null; echo find-done"),
                "- tool: finish",
                "  arguments: {summary: searched}", ""));
        Path out = tmp.resolve("runs");
        Ale.Result r = ale.run("run", dir.toString(), "--policy", "scripted", "--script", script.toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();

        JsonNode episode = episodes(out).getFirst();
        List<String> seen = observations(episode);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).endsWith("stdout:\ngrep-done\n");
        assertThat(seen.get(1)).contains("notes.txt", "Dockerfile", "task.yaml").doesNotContain("solution.sh", "run-tests.sh", "tests",
                "test_secret").endsWith("find-done\n");
        assertThat(episode.path("passed").asBoolean()).as("the verifier (positive control) found its own tests in the verify phase: "
                + r.err()).isTrue();

        // nor is the marker anywhere in the image store: no layer took the answers
        try (Stream<Path> files = Files.walk(ale.dataDir().resolve("images"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(marker);
            }
        }
    }

    @Test
    void aGemEnvOfTheTaskStartedThroughTheServersHttpApiRunsInItsBuiltImageAndASecondStartReusesIt(@TempDir Path tmp) throws Exception {
        // a copy whose Dockerfile sets one more variable first: none of its steps is in the cache the other tests fill or find
        Path served = tmp.resolve("served").resolve("app-inventory");
        Files.createDirectories(served);
        try (Stream<Path> files = Files.walk(EXAMPLE)) {
            for (Path f : files.toList()) {
                Path to = served.resolve(EXAMPLE.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.writeString(served.resolve("Dockerfile"), Files.readString(EXAMPLE.resolve("Dockerfile"))
                .replace("ENV LANG=C.UTF-8", "ENV LANG=C.UTF-8 SERVED_BY=ale-serve"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path stderr = tmp.resolve("serve.err");
        Process serve = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--data-dir", ale.dataDir().toString(), "serve", "--port", "0", "--tasks", served.getParent().toString(),
                "--out", tmp.resolve("runs").toString())
                .redirectError(stderr.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            Matcher token = Pattern.compile("admin token \\(also in \\S+\\): (\\S+)").matcher(out.readLine());
            assertThat(token.find()).isTrue();
            Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.readLine());
            assertThat(url.find()).as(Files.readString(stderr)).isTrue();
            Api api = new Api(url.group(1), token.group(1));

            JsonNode made = api.post("/v1/envs", "{\"task\": \"app-inventory\"}", 201);
            String env = made.path("env_id").asText();
            assertThat(Files.readString(stderr)).contains("app-inventory: building its image from").contains("app-inventory: image ");
            api.post("/v1/envs/" + env + "/reset", "{}", 200);
            JsonNode step = api.post("/v1/envs/" + env + "/step", JSON.createObjectNode().set("action", JSON.createObjectNode()
                    .put("name", "shell").set("arguments", JSON.createObjectNode()
                            .put("command", "id -u; pwd; cat /var/lib/inventory/built-by-uid; ls /usr/local/bin; echo $SERVED_BY"))).toString(), 200);
            // root in /app of the image its Dockerfile made: the RUN ran as root and installed the task's tool
            assertThat(step.toString()).contains("0\\n/app\\n0\\ninventory-check\\nale-serve\\n");
            api.post("/v1/envs/" + env + "/close", "{}", 200);

            // the second start finds the image it made: no second build
            String second = api.post("/v1/envs", "{\"task\": \"app-inventory\"}", 201).path("env_id").asText();
            String log = Files.readString(stderr);
            assertThat(log.indexOf("building its image")).isEqualTo(log.lastIndexOf("building its image"));
            api.post("/v1/envs/" + second + "/close", "{}", 200);
        } finally {
            new ProcessBuilder("kill", "-TERM", String.valueOf(serve.pid())).start().waitFor();
            if (!serve.waitFor(60, TimeUnit.SECONDS)) serve.destroyForcibly();
        }
        assertThat(ale.listed()).isEmpty();
    }

    /** The server's HTTP API with a token. */
    private record Api(String base, String token) {
        JsonNode post(String path, String body, int status) throws IOException, InterruptedException {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + path)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
            return JSON.readTree(r.body());
        }
    }

    private static String command(String shell) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("command", shell).put("timeout_seconds", 120));
    }
}
