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
 * A small real task for tests that drive episodes step by step, with the instruction, budget,
 * passport and setup script a test needs. Its verifier passes when /workspace/out.txt holds
 * {@code hello} and logs what it found, so a test sees the sandbox's files after it is gone.
 */
final class HelloTask {

    static final String INSTRUCTION = "Write hello to /workspace/out.txt.";
    static final AgentBudget BUDGET = new AgentBudget(10, 100_000, Duration.ofMinutes(2));

    private HelloTask() {
    }

    static Task in(Path dir, String instruction, AgentBudget budget, Passport passport, String setup) throws IOException {
        Files.writeString(dir.resolve("setup.sh"), setup);
        Files.writeString(dir.resolve("verify.sh"), """
                got="$(cat /workspace/out.txt 2>/dev/null)"
                echo "out.txt is '$got'"
                [ "$got" = hello ]
                """);
        return new Task("hello", dir, Task.Format.ALE, instruction,
                new TaskEnvironment(List.of(), Optional.of(new CopyIn(dir.resolve("setup.sh"), "/tmp/ale-setup/setup.sh")),
                        Duration.ofSeconds(60), "/workspace"),
                new VerifierSpec(new CopyIn(dir.resolve("verify.sh"), "/tmp/ale-verifier/verify.sh"), List.of(), Duration.ofSeconds(60)),
                budget, passport, List.of("test"), Optional.empty());
    }

    static Task in(Path dir, AgentBudget budget) throws IOException {
        return in(dir, INSTRUCTION, budget, Passport.defaults(), "true\n");
    }
}
