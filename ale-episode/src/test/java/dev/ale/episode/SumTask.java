package dev.ale.episode;

import dev.ale.core.passport.Passport;
import dev.ale.core.task.AgentBudget;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.TaskEnvironment;
import dev.ale.core.task.VerifierSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A small real task made in a test's directory: write the sum of the numbers in
 * /workspace/numbers.txt to /workspace/sum.txt. The verifier compares with an expected value the
 * agent never sees, and writes a fraction of 0.25 on failure.
 */
public final class SumTask {

    public static final String SOLUTION = "awk '{s+=$1} END {print s}' /workspace/numbers.txt > /workspace/sum.txt\n";

    private SumTask() {
    }

    public static Task in(Path dir, Passport passport, String setup) throws IOException {
        Files.createDirectories(dir.resolve("workspace"));
        Files.writeString(dir.resolve("workspace/numbers.txt"), "3\n4\n5\n");
        Files.writeString(dir.resolve("setup.sh"), setup);
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("tests/expected"), "12\n");
        Files.writeString(dir.resolve("verify.sh"), """
                set -u
                echo "verifier sees:" $(ls "$ALE_VERIFIER_DIR") "and tests:" $(ls "$TEST_DIR")
                if [ -e /workspace/slow-verifier ]; then sleep 2; fi
                if [ "$(cat /workspace/sum.txt 2>/dev/null)" = "$(cat "$TEST_DIR/expected")" ]; then echo PASS; echo 1 > "$ALE_SCORE_FILE"; exit 0; fi
                echo "FAIL: sum.txt is '$(cat /workspace/sum.txt 2>/dev/null)'"; echo 0.25 > "$ALE_SCORE_FILE"; exit 1
                """);
        Files.writeString(dir.resolve("solution.sh"), SOLUTION);
        return new Task("sum-numbers", dir, Task.Format.ALE, "Write the sum of the numbers in /workspace/numbers.txt to /workspace/sum.txt.",
                new TaskEnvironment(List.of(new CopyIn(dir.resolve("workspace"), "/workspace")),
                        Optional.of(new CopyIn(dir.resolve("setup.sh"), "/tmp/ale-setup/setup.sh")), Duration.ofSeconds(60), "/workspace"),
                new VerifierSpec(new CopyIn(dir.resolve("verify.sh"), "/tmp/ale-verifier/verify.sh"),
                        List.of(new CopyIn(dir.resolve("tests"), "/tests")), Duration.ofSeconds(60)),
                new AgentBudget(10, 100_000, Duration.ofMinutes(2)), passport, List.of("test"), Optional.of(dir.resolve("solution.sh")));
    }

    public static Task in(Path dir) throws IOException {
        return in(dir, Passport.defaults(), "echo 0 >> numbers.txt\n");
    }
}
