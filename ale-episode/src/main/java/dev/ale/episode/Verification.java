package dev.ale.episode;

import dev.ale.core.AleException;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.core.task.VerifierSpec;
import dev.ale.tasks.TaskLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Runs a task's verifier in the sandbox the agent worked in, after the agent is gone: whatever the
 * agent left at the verifier's path (and at its reward files) is removed, the verifier's files are
 * copied in fresh, only now (its tests into /tests, which the sandbox gave nobody before the verify
 * phase), and the script runs under bash without profiles, in a fresh process
 * tree, from the workdir. The score is the first reward file the verifier wrote (Harbor's
 * {@code /logs/verifier/reward.txt} or {@code .json}), else {@code $ALE_SCORE_FILE}, else the exit status.
 */
public final class Verification {

    static final String DIR = TaskLoader.VERIFIER_DIR;
    static final String SCORE_FILE = DIR + "/" + TaskLoader.SCORE_FILE_NAME;
    private static final int LOG_LIMIT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Verification() {
    }

    /** The verdict on the agent's work; runs in phase verify, after every agent process is gone. */
    public static VerifierResult run(Sandbox sandbox, Task task) {
        Instant start = Instant.now();
        ExecResult clear = sandbox.exec(ExecRequest.of("/bin/rm", "-rf", "--", DIR).withTimeout(Duration.ofSeconds(30)));
        if (clear.exitCode() != 0) {
            return failed(start, "verifier: could not clear " + DIR + ": " + clear.stderr());
        }
        StringBuilder notes = new StringBuilder();
        List<String> rewardFiles = task.verifier().rewardFiles();
        if (!rewardFiles.isEmpty()) prepareRewardFiles(sandbox, rewardFiles, notes);
        for (CopyIn file : task.verifier().files()) sandbox.files().upload(file.source(), file.target());
        CopyIn script = task.verifier().script();
        sandbox.files().upload(script.source(), script.target());
        Map<String, String> env = new HashMap<>(task.environment().env());
        env.putAll(task.verifier().env());
        env.putAll(Map.of("TEST_DIR", TaskLoader.TESTS_DIR, "ALE_VERIFIER_DIR", DIR, "ALE_SCORE_FILE", SCORE_FILE));
        ExecResult r = sandbox.exec(ExecRequest.of("/bin/bash", "--noprofile", "--norc", script.target())
                .withCwd(task.environment().workdir())
                .withEnv(env)
                .withTimeout(task.verifier().timeout()));
        StringBuilder log = new StringBuilder(r.stdout());
        if (!r.stderr().isEmpty()) log.append(log.isEmpty() || log.charAt(log.length() - 1) == '\n' ? "" : "\n").append(r.stderr());
        boolean timedOut = r.reason().filter("timeout"::equals).isPresent();
        if (timedOut) log.append("\n[ALE] the verifier ran past its timeout of ").append(task.verifier().timeout()).append(" and was stopped\n");
        log.append(notes);
        OptionalDouble fraction = OptionalDouble.empty();
        if (!r.killed() && !timedOut && !rewardFiles.isEmpty()) {
            Optional<Double> reward = reward(sandbox, rewardFiles, log);
            if (reward.isPresent()) {
                boolean full = reward.get() >= 1.0;
                return new VerifierResult(full, OptionalDouble.of(reward.get()), r.exitCode(), clip(log.toString()),
                        Duration.between(start, Instant.now()));
            }
        }
        if (!r.killed() && !timedOut) {
            try {
                String text = new String(sandbox.files().read(SCORE_FILE), StandardCharsets.UTF_8).strip();
                double f = Double.parseDouble(text);
                if (f >= 0 && f <= 1) fraction = OptionalDouble.of(f);
                else log.append("\n[ALE] ignored score ").append(text).append(": not in [0, 1]\n");
            } catch (NumberFormatException e) {
                log.append("\n[ALE] ignored $ALE_SCORE_FILE: not a number\n");
            } catch (AleException e) {
                // no score file: pass/fail only
            }
        }
        boolean passed = r.exitCode() == 0 && !r.killed() && !timedOut;
        if (!r.killed() && !timedOut && fraction.isEmpty() && task.verifier().scoring() == VerifierSpec.Scoring.PYTEST_SUMMARY) {
            Optional<PytestSummary> summary = PytestSummary.parse(r.stdout());
            if (summary.isPresent()) {
                PytestSummary tests = summary.get();
                passed = tests.solved(); // all or nothing, as Terminal-Bench resolves a task; the counts go to the log
                log.append("\n[ALE] scored by pytest's short test summary, as Terminal-Bench does: ")
                        .append(tests.tests().size() - tests.failed().size()).append(" of ").append(tests.tests().size()).append(" passed");
                if (!tests.failed().isEmpty()) log.append("; not passed: ").append(String.join(", ", tests.failed()));
                if (passed != (r.exitCode() == 0)) log.append(" (run-tests.sh exited ").append(r.exitCode()).append(")");
                log.append('\n');
            }
        }
        return new VerifierResult(passed, fraction, r.exitCode(), clip(log.toString()), Duration.between(start, Instant.now()));
    }

    /**
     * Removes what the agent may have planted at the reward files and makes their directories
     * where the sandbox allows it; on a root that is read-only there (the host root has no /logs),
     * the verifier cannot write them and is scored as ALE scores its own verifiers.
     */
    private static void prepareRewardFiles(Sandbox sandbox, List<String> rewardFiles, StringBuilder notes) {
        List<String> rm = new ArrayList<>(List.of("/bin/rm", "-f", "--"));
        rm.addAll(rewardFiles);
        sandbox.exec(ExecRequest.of(rm.toArray(String[]::new)).withTimeout(Duration.ofSeconds(30)));
        Set<String> dirs = new LinkedHashSet<>();
        for (String file : rewardFiles) dirs.add(file.substring(0, Math.max(1, file.lastIndexOf('/'))));
        for (String dir : dirs) {
            ExecResult mkdir = sandbox.exec(ExecRequest.of("/bin/mkdir", "-p", "--", dir).withTimeout(Duration.ofSeconds(30)));
            if (mkdir.exitCode() != 0) {
                notes.append("\n[ALE] ").append(dir).append(" cannot be made in this sandbox (").append(firstLine(mkdir.stderr()))
                        .append("), so the verifier cannot write its reward there; it is scored by $ALE_SCORE_FILE or its exit status\n");
            }
        }
    }

    /** The first reward file that exists: a number, or JSON {"reward": number}; a malformed one is noted and scores 0. */
    private static Optional<Double> reward(Sandbox sandbox, List<String> rewardFiles, StringBuilder log) {
        for (String file : rewardFiles) {
            String text;
            try {
                text = new String(sandbox.files().read(file), StandardCharsets.UTF_8).strip();
            } catch (AleException e) {
                continue;
            }
            try {
                double value = file.endsWith(".json") ? JSON.readTree(text).path("reward").asDouble(Double.NaN) : Double.parseDouble(text);
                if (value >= 0 && value <= 1) return Optional.of(value);
                log.append("\n[ALE] ").append(file).append(": reward ").append(text).append(" is not in [0, 1]; scored 0\n");
            } catch (NumberFormatException | java.io.IOException e) {
                log.append("\n[ALE] ").append(file).append(": not a reward (").append(firstLine(text)).append("); scored 0\n");
            }
            return Optional.of(0.0);
        }
        return Optional.empty();
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    private static VerifierResult failed(Instant start, String log) {
        return new VerifierResult(false, OptionalDouble.empty(), -1, log, Duration.between(start, Instant.now()));
    }

    private static String clip(String log) {
        return log.length() <= LOG_LIMIT ? log : log.substring(0, LOG_LIMIT / 4) + "\n[... log cut ...]\n" + log.substring(log.length() - LOG_LIMIT * 3 / 4);
    }
}
