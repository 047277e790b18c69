package dev.ale.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ale train} as a user runs it: a short training on one ROME task, and its bad input. */
@Tag("root")
class TrainCommandTest {

    private static final Path ANSWER_KEY = Path.of("..", "tasks", "rome", "rome-answer-key").toAbsolutePath().normalize();
    private static Ale ale;

    @TempDir
    Path dir;

    @BeforeAll
    static void dataDir() throws IOException {
        ale = Ale.withFreshDataDir();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        ale.close();
    }

    @Test
    void aShortTrainingWritesMetricsCheckpointAndDataset() throws IOException {
        Path out = dir.resolve("runs");

        Ale.Result r = ale.run("train", ANSWER_KEY.toString(), "--iterations", "1", "--samples", "2", "--parallel", "2",
                "--out", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("[monitor-on] iteration 1: 2 episodes");
        assertThat(r.out()).containsPattern("monitor-on +1 +2 ");
        Path run;
        try (Stream<Path> runs = Files.list(out)) {
            run = runs.findFirst().orElseThrow();
        }
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(1);
        assertThat(Files.readAllLines(run.resolve("episodes.jsonl"))).hasSize(2);
        assertThat(Files.readString(run.resolve("checkpoint.json"))).containsPattern("\"format\" *: *\"ale-softmax-1\"");
        assertThat(run.resolve("dataset.jsonl")).isRegularFile();
    }

    @Test
    void badOptionsAndTasksWithoutActionsAreNamedAndExitTwo() {
        Ale.Result lr = ale.run("train", ANSWER_KEY.toString(), "--iterations", "1", "--lr", "0");
        Ale.Result samples = ale.run("train", ANSWER_KEY.toString(), "--iterations", "1", "--samples", "1");
        Ale.Result entropy = ale.run("train", ANSWER_KEY.toString(), "--iterations", "1", "--entropy", "-1");
        Ale.Result noActions = ale.run("train", Path.of("..", "tasks", "examples", "py-semver").toString(), "--iterations", "1",
                "--out", dir.toString());

        assertThat(lr.exit()).isEqualTo(2);
        assertThat(lr.err()).contains("--lr must be a positive number, was 0.0");
        assertThat(samples.err()).contains("--samples must be at least 2");
        assertThat(entropy.err()).contains("--entropy must be 0 or more, was -1.0");
        assertThat(noActions.exit()).isEqualTo(2);
        assertThat(noActions.err()).contains("py-semver").contains("actions:");
    }
}
