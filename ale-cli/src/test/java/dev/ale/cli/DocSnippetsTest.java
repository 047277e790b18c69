package dev.ale.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every python and sh block of docs/trainers.md runs, in page order, through
 * clients/python/tests/doc_snippets.py: the page's own {@code ale serve} lines start real servers
 * (this build's {@code ale}, on PATH), with the tokens of docs/server.md and the repository's
 * tasks/examples, and the later blocks drive them. A block the page marks as not run must say why,
 * and only the one needing ROCK's SDK may be so marked.
 */
@Tag("root")
@Timeout(600)
class DocSnippetsTest {

    private static final Pattern BLOCK = Pattern.compile("(?m)^```(python|sh|bash)\\s*$");

    @Test
    void everyPythonAndShellBlockOfTrainersMdRunsAgainstARealServer() throws Exception {
        Optional<String> python = python3();
        assumeTrue(python.isPresent(), "python3 is not on PATH: the page's python blocks cannot run here");
        Path repo = repoRoot();
        Path page = repo.resolve("docs/trainers.md");
        try (Ale ale = Ale.withFreshDataDir()) {
            Path work = Files.createDirectories(ale.dataDir().resolve("docwork"));
            Files.writeString(work.resolve("tokens.yaml"), tokensOfServerMd(repo));
            Files.createSymbolicLink(work.resolve("tasks"), repo.resolve("tasks"));
            Files.createSymbolicLink(work.resolve("clients"), repo.resolve("clients"));
            Path bin = Files.createDirectories(work.resolve("bin"));
            String java = ProcessHandle.current().info().command().orElseThrow();
            Files.writeString(bin.resolve("ale"), "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                    + System.getProperty("java.class.path") + "' " + Main.class.getName() + " --data-dir '" + ale.dataDir() + "' \"$@\"\n");
            Files.setPosixFilePermissions(bin.resolve("ale"), PosixFilePermissions.fromString("rwxr-xr-x"));

            ProcessBuilder pb = new ProcessBuilder(python.get(), repo.resolve("clients/python/tests/doc_snippets.py").toString(), page.toString())
                    .directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("PYTHONPATH", repo.resolve("clients/python").toString());
            // what the page's blocks need they must set themselves (its `export` line)
            pb.environment().remove("ALE_URL");
            pb.environment().remove("ALE_TOKEN");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(540, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).as(output).isZero();
            long blocks = BLOCK.matcher(Files.readString(page)).results().count();
            List<String> ran = output.lines().filter(l -> l.matches("trainers\\.md:\\d+ \\((python|sh|bash)\\) ran .*")).toList();
            List<String> notRun = output.lines().filter(l -> l.matches("trainers\\.md:\\d+ \\((python|sh|bash)\\) not run: .+")).toList();
            assertThat(ran.size() + notRun.size()).as(output).isEqualTo(blocks);
            assertThat(notRun).as(output).singleElement().asString().contains("ROCK's SDK");
            assertThat(output).as("the page's first block started the server").contains("serving on http://127.0.0.1:8080")
                    .contains("iter 0 regex-phones: mean reward 0.00, kills 0").doesNotContain("FAILED");
            // the servers the page started were stopped, and with them went every sandbox
            assertThat(ale.listed()).isEmpty();
            assertThat(work.resolve("runs")).isDirectory();

            // the page's trainer groups (the asyncio block's four samples and the groups block's one) in the report and the export
            Path run;
            try (Stream<Path> runs = Files.list(work.resolve("runs"))) {
                run = runs.filter(d -> {
                    try {
                        return Files.readString(d.resolve("episodes.jsonl")).contains("\"group\":\"it0-regex-phones\"");
                    } catch (IOException e) {
                        return false;
                    }
                }).findFirst().orElseThrow(() -> new AssertionError("no run holds the page's group it0-regex-phones"));
            }
            Ale.Result report = ale.run("report", run.toString());
            assertThat(report.exit()).as(report.err()).isZero();
            String html = Files.readString(run.resolve("report.html"));
            Matcher row = Pattern.compile("<tr class=\"group-row\" data-group=\"it0-regex-phones\"[^>]*>(.*?)</tr>").matcher(html);
            assertThat(row.find()).as("the group's row in the report").isTrue();
            assertThat(row.group(1)).contains("samples\">5<").contains("pass-at-k\">no<").contains("spread\">0.00<");
            Ale.Result atif = ale.run("export", run.toString(), "--format", "atif");
            assertThat(atif.exit()).as(atif.err()).isZero();
            try (Stream<Path> files = Files.walk(run.resolve("atif"))) {
                assertThat(files.filter(f -> f.getFileName().toString().equals("trajectory.json")).count()).isGreaterThanOrEqualTo(5);
            }
        }
    }

    /** The tokens file docs/server.md shows, so that the two pages agree on it. */
    private static String tokensOfServerMd(Path repo) throws IOException {
        Matcher m = Pattern.compile("(?s)```yaml\\n(tokens:\\n.*?)```").matcher(Files.readString(repo.resolve("docs/server.md")));
        assertThat(m.find()).as("docs/server.md shows a tokens file").isTrue();
        assertThat(m.group(1)).contains("a-long-random-trainer-secret");
        return m.group(1);
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
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) if (Files.isDirectory(p.resolve("docs"))
                && Files.isDirectory(p.resolve("clients/python"))) return p;
        throw new AssertionError("the repository (docs/, clients/python) not found above " + Path.of("").toAbsolutePath());
    }
}
