package dev.ale.core.task;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the work is scored: after the agent ends, {@code files} (the tests) and {@code script} are
 * copied in (the agent never saw them) and the script runs in the {@code verify} phase in a
 * fresh process tree. Exit 0 passes; a number in [0, 1] written to {@code $ALE_SCORE_FILE} is
 * the fraction. {@code rewardFiles} are sandbox paths where the verifier may write its reward
 * instead (Harbor's {@code /logs/verifier/reward.txt} or {@code reward.json}): the first that
 * exists is the score, and only a full score passes. {@code env} is added to the script's environment.
 * {@code scoring} says how the script's run is read when it wrote no reward.
 */
public record VerifierSpec(CopyIn script, List<CopyIn> files, Duration timeout, List<String> rewardFiles, Map<String, String> env,
                           Scoring scoring) {

    /** How a verifier's run becomes pass or fail when it wrote no reward file and no score. */
    public enum Scoring {
        /** Exit 0 passes. */
        EXIT_STATUS,
        /**
         * As Terminal-Bench's pytest parser: every test in pytest's short test summary passed, whatever
         * the exit status; a run that printed no summary is scored by its exit status.
         */
        PYTEST_SUMMARY
    }

    public VerifierSpec {
        Objects.requireNonNull(script, "script");
        files = List.copyOf(files);
        Objects.requireNonNull(timeout, "timeout");
        rewardFiles = List.copyOf(rewardFiles);
        env = Map.copyOf(env);
        Objects.requireNonNull(scoring, "scoring");
    }

    /** A verifier scored by its reward files, $ALE_SCORE_FILE or exit status. */
    public VerifierSpec(CopyIn script, List<CopyIn> files, Duration timeout, List<String> rewardFiles, Map<String, String> env) {
        this(script, files, timeout, rewardFiles, env, Scoring.EXIT_STATUS);
    }

    /** A verifier scored by its exit status or $ALE_SCORE_FILE, with no extra variables. */
    public VerifierSpec(CopyIn script, List<CopyIn> files, Duration timeout) {
        this(script, files, timeout, List.of(), Map.of());
    }

    /** The same verifier, its run read as {@code how} says. */
    public VerifierSpec withScoring(Scoring how) {
        return new VerifierSpec(script, files, timeout, rewardFiles, env, how);
    }
}
