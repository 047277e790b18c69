package dev.ale.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("root")
@Timeout(180)
class ServeCommandTest {

    @Test
    void aPortInUseIsOneClearLineAndExit3() throws Exception {
        try (Ale ale = Ale.withFreshDataDir();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Ale.Result r = ale.run("serve", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).doesNotContain("Exception");
        }
    }

    @Test
    void aBadTokensFileIsOneClearLineAndExit2() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Path tokens = ale.dataDir().resolve("tokens.yaml");
            Files.writeString(tokens, "tokens:\n  - {token: short, role: admin, name: a}\n");
            Ale.Result r = ale.run("serve", "--port", "0", "--tokens", tokens.toString());
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).contains("tokens[0].token");
        }
    }

    @Test
    void badModelProxyAndRockOptionsAreOneClearLineAndExit2() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Path tokens = ale.dataDir().resolve("tokens.yaml");
            Files.writeString(tokens, """
                    tokens:
                      - {token: admin-token-0123456789, role: admin, name: root}
                      - {token: env-token-0123456789ab, role: env, name: trainer}
                    """);
            String out = ale.dataDir().resolve("runs").toString();
            String[][] cases = {
                    {"--model", "ftp://models.example/v1"},
                    {"--model", "http://127.0.0.1:8000/v1?x=1"},
                    {"--api-key-env", "SOME_KEY"},
                    {"--model", "http://127.0.0.1:8000/v1", "--api-key-env", "ALE_TEST_UNSET_VARIABLE"},
                    {"--rock-open-as", "nobody"},
                    {"--rock-open-as", "root"},
                    {"--model", "http://127.0.0.1:8000/v1", "--host", "192.0.2.10"},
                    {"--max-action-bytes", "100"}};
            String[] expected = {"must be an http:// or https:// URL", "must be scheme://host[:port][/path]", "--api-key-env: only with --model",
                    "$ALE_TEST_UNSET_VARIABLE is not set", "--rock-open-as nobody: no token of that name",
                    "--rock-open-as root: that is an admin token", "needs the server on loopback or 0.0.0.0",
                    "--max-action-bytes: must be 1024-"};
            for (int i = 0; i < cases.length; i++) {
                List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--tokens", tokens.toString(),
                        "--out", out));
                args.addAll(List.of(cases[i]));
                Ale.Result r = ale.run(args.toArray(String[]::new));
                assertThat(r.exit()).as(String.join(" ", cases[i]) + ": " + r.err()).isEqualTo(2);
                assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
                assertThat(r.err()).contains(expected[i]);
            }
        }
    }

    @Test
    void aClusterNodeOrFrontMustChooseMutualTlsOrPlainHttpAndEachMistakeIsOneLine() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Path tokens = ale.dataDir().resolve("tokens.yaml");
            Files.writeString(tokens, "tokens:\n  - {token: admin-token-0123456789, role: admin, name: root}\n");
            Path secret = ale.dataDir().resolve("secret");
            Files.writeString(secret, "secret-0123456789abcdef\n");
            String missing = ale.dataDir().resolve("no-such-dir").toString();
            List<String> front = List.of("serve", "--port", "0", "--tokens", tokens.toString(), "--cluster-secret-file", secret.toString(), "--cluster");
            List<String> node = List.of("serve", "--port", "0", "--tokens", tokens.toString(), "--cluster-secret-file", secret.toString());
            List<String> alone = List.of("serve", "--port", "0", "--tokens", tokens.toString());
            List<List<String>> cases = List.of(
                    plus(front, "--nodes", "http://127.0.0.1:1"),
                    node,
                    plus(front, "--nodes", "https://127.0.0.1:1", "--plain-http"),
                    plus(front, "--nodes", "http://127.0.0.1:1", "--plain-http", "--tls-dir", missing),
                    plus(front, "--nodes", "https://127.0.0.1:1", "--tls-dir", missing),
                    plus(alone, "--tls-dir", missing),
                    plus(alone, "--plain-http"));
            String[] expected = {"--cluster: choose --tls-dir DIR", "a cluster's node (--cluster-secret-file): choose --tls-dir DIR",
                    "--nodes: https://127.0.0.1:1 must be http://", "give --tls-dir or --plain-http, not both",
                    "--tls-dir: cannot read " + missing + "/password", "--tls-dir: only for a cluster's node", "--plain-http: only for a cluster's node"};
            for (int i = 0; i < cases.size(); i++) {
                Ale.Result r = ale.run(cases.get(i).toArray(String[]::new));
                assertThat(r.exit()).as(cases.get(i) + ": " + r.err()).isEqualTo(2);
                assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
                assertThat(r.err()).contains(expected[i]);
            }
        }
    }

    private static List<String> plus(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }

    @Test
    void withoutTokensItMakesAnAdminTokenAndSigtermDestroysItsSandboxes() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "serve", "--port", "0",
                    "--out", ale.dataDir().resolve("runs").toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
                String tokenLine = out.readLine();
                Matcher token = Pattern.compile("admin token \\(also in (\\S+)\\): (\\S+)").matcher(tokenLine);
                assertThat(token.find()).as(tokenLine).isTrue();
                Path tokenFile = Path.of(token.group(1));
                assertThat(Files.readString(tokenFile).strip()).isEqualTo(token.group(2));
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
                Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.readLine());
                assertThat(url.find()).isTrue();

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(url.group(1) + "/v1/sandboxes"))
                        .header("Authorization", "Bearer " + token.group(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(ale.listed()).hasSize(1);

                assertThat(new ProcessBuilder("kill", "-TERM", String.valueOf(serve.pid())).start().waitFor()).isZero();
                assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(ale.listed()).isEmpty();
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    /**
     * {@code --max-action-bytes} is the server's limit on one GEM action: a step over it is not a 413 but a
     * malformed action whose observation names the files API, and the content written there is in the sandbox.
     */
    @Test
    void maxActionBytesIsTheLimitOverWhichAStepIsAnObservationNamingTheFilesApi() throws Exception {
        try (Ale ale = Ale.withFreshDataDir()) {
            Path tasks = TestTasks.greet(ale.dataDir().resolve("tasks"));
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "serve", "--port", "0", "--tasks", tasks.toString(), "--max-action-bytes", "4096",
                    "--out", ale.dataDir().resolve("runs").toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
                Matcher token = Pattern.compile("admin token \\(also in (\\S+)\\): (\\S+)").matcher(out.readLine());
                assertThat(token.find()).isTrue();
                Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.readLine());
                assertThat(url.find()).isTrue();
                HttpClient http = HttpClient.newHttpClient();
                BiFunction<String, String, String> post = (path, body) -> {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.group(1) + path))
                                .header("Authorization", "Bearer " + token.group(2)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(path + ": " + r.body()).isBetween(200, 201);
                        return r.body();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                Matcher env = Pattern.compile("\"env_id\":\"([^\"]+)\"").matcher(post.apply("/v1/envs", "{\"task\": \"greet\"}"));
                assertThat(env.find()).isTrue();
                String id = env.group(1);
                post.apply("/v1/envs/" + id + "/reset", "{}");
                String small = post.apply("/v1/envs/" + id + "/step", writeFile("x".repeat(2048)));
                assertThat(small).contains("\"tool_status\":\"ok\"");
                String big = post.apply("/v1/envs/" + id + "/step", writeFile("x".repeat(8192)));
                assertThat(big).contains("\"tool_status\":\"malformed\"").contains("limit of 4096 bytes")
                        .contains("PUT /v1/envs/" + id + "/files?path=");
            } finally {
                new ProcessBuilder("kill", "-TERM", String.valueOf(serve.pid())).start().waitFor();
                if (!serve.waitFor(60, TimeUnit.SECONDS)) serve.destroyForcibly();
            }
            assertThat(ale.listed()).isEmpty();
        }
    }

    private static String writeFile(String content) {
        return "{\"action\": {\"name\": \"write_file\", \"arguments\": {\"path\": \"/workspace/f.txt\", \"content\": \"" + content + "\"}}}";
    }
}
