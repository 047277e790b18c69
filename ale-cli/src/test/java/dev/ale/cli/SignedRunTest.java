package dev.ale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run under a signed passport, end to end: the signature is checked, the episode line and its
 * events carry the passport's fingerprint, and {@code ale passport history} finds the run in the
 * audit log, even after the passport file changed.
 */
@Tag("root")
class SignedRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aSignedTaskRunsAndEveryRecordNamesItsFingerprint() throws IOException {
        Path key = dir.resolve("ops");
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        Path task = Files.createDirectories(dir.resolve("guarded"));
        Files.writeString(task.resolve("verify.sh"), "test \"$(cat /workspace/out.txt)\" = ok\n");
        Files.createDirectories(task.resolve("workspace/tests"));
        Files.writeString(task.resolve("workspace/tests/check.txt"), "original\n");
        // the reference solution overwrites a protected file: a tamper event, recorded and kept
        Files.writeString(task.resolve("solution.sh"), "echo changed > /workspace/tests/check.txt; echo ok > /workspace/out.txt\n");
        Files.writeString(task.resolve("passport.yaml"), "id: guarded-passport\nprotected: [/workspace/tests]\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: guarded
                instruction: Write ok to /workspace/out.txt.
                environment:
                  files:
                    - {from: workspace/, to: /workspace/}
                verifier:
                  script: verify.sh
                solution: solution.sh
                passport: passport.yaml
                """);
        String fingerprint = TaskLoader.load(task).passport().fingerprint();

        try (Ale ale = Ale.withFreshDataDir()) {
            ale.run("passport", "keygen", key.toString());
            Files.copy(Path.of(key + ".pub"), trusted.resolve("ops.pub"));
            Ale.Result sign = ale.run("passport", "sign", "--key", key.toString(), task.toString());
            assertThat(sign.exit()).as(sign.err()).isZero();

            Path out = dir.resolve("runs");
            Ale.Result run = ale.run("run", "--require-signed-passports", "--trusted-keys", trusted.toString(), "--out", out.toString(),
                    task.toString());
            assertThat(run.exit()).as(run.err()).isZero();

            JsonNode line = JSON.readTree(Files.readAllLines(episodes(out)).getFirst());
            assertThat(line.get("passport_fingerprint").asText()).isEqualTo(fingerprint);
            assertThat(line.get("events")).isNotEmpty().allSatisfy(e -> {
                assertThat(e.get("passport").asText()).isEqualTo("guarded-passport");
                assertThat(e.get("passport_fingerprint").asText()).isEqualTo(fingerprint);
            });

            // the file changes afterwards: the record still names the rules the run was under
            Files.writeString(task.resolve("passport.yaml"), "id: guarded-passport\nprotected: []\n");
            Ale.Result history = ale.run("passport", "history", "guarded-passport", "--json");
            assertThat(history.exit()).as(history.err()).isZero();
            JsonNode h = JSON.readTree(history.out());
            assertThat(h.get("versions")).hasSize(1);
            assertThat(h.get("versions").get(0).get("fingerprint").asText()).isEqualTo(fingerprint);
            assertThat(h.get("episodes")).hasSize(1);
            assertThat(h.get("events_by_category").get("tamper").asInt()).isPositive();
            assertThat(h.get("protected_writes").has("/workspace/tests/check.txt")).as(h.toString()).isTrue();

            Ale.Result refused = ale.run("run", "--require-signed-passports", "--trusted-keys", trusted.toString(), "--out", out.toString(),
                    task.toString());
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.err()).contains("altered since it was signed");
        }
    }

    @Test
    void aSignedPassportThatHoldsRunsUnderItsFallbackWithoutBeingTakenForAltered() throws IOException {
        Path key = dir.resolve("ops");
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        Path task = Files.createDirectories(dir.resolve("holding"));
        Files.writeString(task.resolve("verify.sh"), "test \"$(cat /workspace/out.txt)\" = ok\n");
        Files.writeString(task.resolve("solution.sh"), "echo ok > /workspace/out.txt\n");
        Files.writeString(task.resolve("passport.yaml"), "id: holding-passport\ndetectors:\n  tunnel: {action: hold}\nhold: {fallback: kill}\n");
        Files.writeString(task.resolve("task.yaml"), """
                id: holding
                instruction: Write ok to /workspace/out.txt.
                verifier:
                  script: verify.sh
                solution: solution.sh
                passport: passport.yaml
                """);

        try (Ale ale = Ale.withFreshDataDir()) {
            ale.run("passport", "keygen", key.toString());
            Files.copy(Path.of(key + ".pub"), trusted.resolve("ops.pub"));
            assertThat(ale.run("passport", "sign", "--key", key.toString(), task.toString()).exit()).isZero();
            Path out = dir.resolve("runs");

            // without --allow-holds the run swaps the holds for the fallback: the signature is of the passport as signed
            Ale.Result run = ale.run("run", "--require-signed-passports", "--trusted-keys", trusted.toString(), "--out", out.toString(),
                    task.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("takes its fallback (kill)").doesNotContain("altered");
            assertThat(JSON.readTree(Files.readAllLines(episodes(out)).getFirst()).get("passed").asBoolean()).isTrue();

            Files.writeString(task.resolve("passport.yaml"), "id: holding-passport\ndetectors:\n  tunnel: {action: alert}\n");
            Ale.Result altered = ale.run("run", "--require-signed-passports", "--trusted-keys", trusted.toString(), "--out", out.toString(),
                    task.toString());
            assertThat(altered.exit()).isEqualTo(2);
            assertThat(altered.err()).contains("altered since it was signed");
        }
    }

    private static Path episodes(Path out) throws IOException {
        try (Stream<Path> runs = Files.list(out)) {
            List<Path> dirs = runs.filter(Files::isDirectory).toList();
            return dirs.getFirst().resolve("episodes.jsonl");
        }
    }
}
