package dev.ale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run killed with SIGKILL in the middle of an episode is finished by {@code ale run --resume}:
 * every episode ends up in episodes.jsonl exactly once, the line the kill cut short is dropped and
 * its episode run again, and what the killed process left on the host is cleaned up.
 */
@Tag("root")
class ResumeAfterKillTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRunKilledMidEpisodeIsFinishedWithNoEpisodeLostOrCountedTwice() throws Exception {
        Path task = dir.resolve("slow");
        Files.createDirectories(task);
        Files.writeString(task.resolve("verify.sh"), "test -f /workspace/done\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: slow-task
                instruction: Create /workspace/done after a while.
                verifier:
                  script: verify.sh
                """);
        Files.writeString(dir.resolve("script.yaml"), """
                - tool: shell
                  arguments: {command: "sleep 1.5; touch done"}
                """);
        Path out = dir.resolve("runs");
        try (Ale ale = Ale.withFreshDataDir()) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process run = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--data-dir", ale.dataDir().toString(), "run", task.toString(), "-n", "4", "--policy", "scripted",
                    "--script", dir.resolve("script.yaml").toString(), "--out", out.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            List<String> live = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> episodesFile(out) != null && lines(episodesFile(out)) >= 1);
                // the next episode is under way: its sandbox exists when the kill comes
                await().atMost(Duration.ofSeconds(30)).until(() -> !ale.listed().isEmpty());
                live.addAll(ale.listed());
            } finally {
                run.destroyForcibly(); // SIGKILL: no shutdown hook runs
                assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            Path episodes = episodesFile(out);
            Path runDir = episodes.getParent();
            int written = lines(episodes);
            assertThat(written).isBetween(1, 3);
            // only this data directory's sandboxes count: another ALE on the host has namespaces of its own
            List<String> orphans = new ArrayList<>(aleNamespaces());
            orphans.retainAll(live.stream().map(id -> "ale-" + id).toList());
            assertThat(orphans).as("the killed run's sandbox network namespace is still there").isNotEmpty();
            // as if the kill had also landed in the middle of writing a line
            Files.writeString(episodes, "{\"episode\":\"" + runDir.getFileName() + ".slow-task.3\",\"task\":\"slow-ta", StandardOpenOption.APPEND);

            Ale.Result resumed = ale.run("run", "--resume", runDir.toString());

            assertThat(resumed.exit()).as(resumed.err()).isZero();
            assertThat(resumed.err()).contains("resuming run " + runDir.getFileName()).contains("(" + written + " done, " + (4 - written) + " to run)");
            assertThat(resumed.out()).containsPattern("slow-task +4 +4 +100%");
            List<JsonNode> all = new ArrayList<>();
            for (String line : Files.readAllLines(episodes)) all.add(JSON.readTree(line));
            assertThat(all).extracting(l -> l.get("episode").asText()).doesNotHaveDuplicates().containsExactlyInAnyOrder(
                    runDir.getFileName() + ".slow-task.0", runDir.getFileName() + ".slow-task.1",
                    runDir.getFileName() + ".slow-task.2", runDir.getFileName() + ".slow-task.3");
            assertThat(all).allSatisfy(l -> assertThat(l.get("passed").asBoolean()).isTrue());
            assertThat(ale.listed()).as("the killed run's leftovers were collected").isEmpty();
            assertThat(aleNamespaces()).doesNotContainAnyElementsOf(orphans);
        }
    }

    private static List<String> aleNamespaces() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        List<String> names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(l -> l.split(" ")[0]).filter(n -> n.startsWith("ale-")).toList();
        p.waitFor();
        return names;
    }

    private static Path episodesFile(Path out) throws IOException {
        if (!Files.isDirectory(out)) return null;
        try (Stream<Path> runs = Files.list(out)) {
            return runs.map(r -> r.resolve("episodes.jsonl")).filter(Files::exists).findFirst().orElse(null);
        }
    }

    private static int lines(Path file) throws IOException {
        return (int) new String(Files.readAllBytes(file), StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
    }
}
