package dev.ale.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Python client's own tests (clients/python/tests, unittest) against a real {@code ale serve}
 * with a tokens file and a tasks directory: they solve a task through the env API, see a reverse
 * tunnel killed in {@code info["events"]}, and drive a sandbox.
 */
@Tag("root")
@Timeout(300)
class PythonClientTest {

    private static final String TOKEN = "python-client-token-0123456789";

    @Test
    void thePythonClientsTestsPassAgainstARealServer() throws Exception {
        assumeTrue(python3().isPresent(), "python3 is not on PATH: the Python client's tests cannot run here");
        Path repo = repoRoot();
        Path clients = repo.resolve("clients/python");
        assertThat(clients.resolve("tests")).isDirectory();
        try (Ale ale = Ale.withFreshDataDir()) {
            Path tokens = ale.dataDir().resolve("tokens.yaml");
            Files.writeString(tokens, "tokens:\n  - {token: \"" + TOKEN + "\", role: env, name: trainer, max_sandboxes: 8}\n");
            Path tasks = TestTasks.greet(ale.dataDir().resolve("tasks"));
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "serve", "--port", "0", "--tokens", tokens.toString(), "--tasks", tasks.toString(),
                    "--out", ale.dataDir().resolve("runs").toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                Matcher url = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+)").matcher(String.valueOf(line));
                assertThat(url.find()).as(line).isTrue();

                ProcessBuilder unittest = new ProcessBuilder(python3().get(), "-m", "unittest", "discover", "-v", "-s", clients.resolve("tests").toString())
                        .directory(clients.toFile()).redirectErrorStream(true);
                unittest.environment().put("ALE_URL", url.group(1));
                unittest.environment().put("ALE_TOKEN", TOKEN);
                unittest.environment().put("ALE_TASK", "greet");
                Process py = unittest.start();
                String output = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(py.waitFor(240, TimeUnit.SECONDS)).isTrue();
                assertThat(py.exitValue()).as(output).isZero();
                assertThat(output).containsPattern("Ran [1-9][0-9]* tests").contains("OK").containsPattern("test_a_reverse_tunnel_is_killed_and_shows_in_the_events \\(.*\\) ... ok");
            } finally {
                new ProcessBuilder("kill", "-TERM", String.valueOf(serve.pid())).start().waitFor();
                if (!serve.waitFor(60, TimeUnit.SECONDS)) serve.destroyForcibly();
            }
            assertThat(ale.listed()).isEmpty();
        }
    }

    private static Optional<String> python3() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(p)) return Optional.of(p.toString());
        }
        return Optional.empty();
    }

    private static Path repoRoot() {
        String env = System.getenv("ALE_REPO");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) if (Files.isDirectory(p.resolve("clients/python"))) return p;
        throw new AssertionError("clients/python not found above " + here);
    }

}
