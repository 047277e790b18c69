package dev.ale.episode;

import dev.ale.core.AleException;
import dev.ale.core.episode.VerifierResult;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.tasks.TaskLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Runs a task's verifier in the sandbox the agent worked in, after the agent is gone: whatever the
 * agent left at the verifier's path is removed, the verifier's files are copied in fresh, and the
 * script runs under bash without profiles, in a fresh process tree, from the workdir.
 */
public final class Verification {

    static final String DIR = TaskLoader.VERIFIER_DIR;
    static final String SCORE_FILE = DIR + "/" + TaskLoader.SCORE_FILE_NAME;
    private static final int LOG_LIMIT = 64 * 1024;

    private Verification() {
    }

    /** The verdict on the agent's work; runs in phase verify, after every agent process is gone. */
    public static VerifierResult run(Sandbox sandbox, Task task) {
        Instant start = Instant.now();
        ExecResult clear = sandbox.exec(ExecRequest.of("/bin/rm", "-rf", "--", DIR).withTimeout(Duration.ofSeconds(30)));
        if (clear.exitCode() != 0) {
            return failed(start, "verifier: could not clear " + DIR + ": " + clear.stderr());
        }
        for (CopyIn file : task.verifier().files()) sandbox.files().upload(file.source(), file.target());
        CopyIn script = task.verifier().script();
        sandbox.files().upload(script.source(), script.target());
        ExecResult r = sandbox.exec(ExecRequest.of("/bin/bash", "--noprofile", "--norc", script.target())
                .withCwd(task.environment().workdir())
                .withEnv(Map.of("TEST_DIR", DIR + "/tests", "ALE_VERIFIER_DIR", DIR, "ALE_SCORE_FILE", SCORE_FILE))
                .withTimeout(task.verifier().timeout()));
        StringBuilder log = new StringBuilder(r.stdout());
        if (!r.stderr().isEmpty()) log.append(log.isEmpty() || log.charAt(log.length() - 1) == '\n' ? "" : "\n").append(r.stderr());
        boolean timedOut = r.reason().filter("timeout"::equals).isPresent();
        if (timedOut) log.append("\n[ALE] the verifier ran past its timeout of ").append(task.verifier().timeout()).append(" and was stopped\n");
        OptionalDouble fraction = OptionalDouble.empty();
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
        return new VerifierResult(passed, fraction, r.exitCode(), clip(log.toString()), Duration.between(start, Instant.now()));
    }

    private static VerifierResult failed(Instant start, String log) {
        return new VerifierResult(false, OptionalDouble.empty(), -1, log, Duration.between(start, Instant.now()));
    }

    private static String clip(String log) {
        return log.length() <= LOG_LIMIT ? log : log.substring(0, LOG_LIMIT / 4) + "\n[... log cut ...]\n" + log.substring(log.length() - LOG_LIMIT * 3 / 4);
    }
}
