package dev.ale.core.task;

import dev.ale.core.passport.Passport;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One task: the instruction the agent reads, the environment it works in, the verifier that
 * scores it, its budget and passport. Loaded from a directory holding {@code task.yaml} (ALE's
 * own form or Terminal-Bench's). {@code solution} is the reference solution, a shell script the
 * replay policy runs; the agent never sees it. {@code actions} are the candidate acts a built-in
 * policy chooses from (empty for most tasks). {@code warnings} say what of the task's files was
 * read but has no effect in ALE (a key it ignores, a Dockerfile line that changes nothing here).
 */
public record Task(
        String id,
        Path directory,
        Format format,
        String instruction,
        TaskEnvironment environment,
        VerifierSpec verifier,
        AgentBudget budget,
        Passport passport,
        List<String> tags,
        Optional<Path> solution,
        List<CandidateAction> actions,
        List<String> warnings) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(passport, "passport");
        tags = List.copyOf(tags);
        solution = solution == null ? Optional.empty() : solution;
        actions = List.copyOf(actions);
        warnings = List.copyOf(warnings);
    }

    /** A task read without warnings. */
    public Task(String id, Path directory, Format format, String instruction, TaskEnvironment environment, VerifierSpec verifier,
                AgentBudget budget, Passport passport, List<String> tags, Optional<Path> solution, List<CandidateAction> actions) {
        this(id, directory, format, instruction, environment, verifier, budget, passport, tags, solution, actions, List.of());
    }

    /** A task without candidate actions (only built-in policies use them). */
    public Task(String id, Path directory, Format format, String instruction, TaskEnvironment environment, VerifierSpec verifier,
                AgentBudget budget, Passport passport, List<String> tags, Optional<Path> solution) {
        this(id, directory, format, instruction, environment, verifier, budget, passport, tags, solution, List.of(), List.of());
    }

    /** The same task under another passport (a training arm that changes what the monitor does, for example). */
    public Task withPassport(Passport newPassport) {
        return new Task(id, directory, format, instruction, environment, verifier, budget, newPassport, tags, solution, actions, warnings);
    }

    /** Which layout the directory was read as: ALE's task.yaml, Terminal-Bench's task.yaml, Harbor's task.toml. */
    public enum Format { ALE, TERMINAL_BENCH, HARBOR }
}
