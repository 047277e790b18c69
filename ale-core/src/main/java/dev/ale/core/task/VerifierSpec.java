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
 */
public record VerifierSpec(CopyIn script, List<CopyIn> files, Duration timeout, List<String> rewardFiles, Map<String, String> env) {

    public VerifierSpec {
        Objects.requireNonNull(script, "script");
        files = List.copyOf(files);
        Objects.requireNonNull(timeout, "timeout");
        rewardFiles = List.copyOf(rewardFiles);
        env = Map.copyOf(env);
    }

    /** A verifier scored by its exit status or $ALE_SCORE_FILE, with no extra variables. */
    public VerifierSpec(CopyIn script, List<CopyIn> files, Duration timeout) {
        this(script, files, timeout, List.of(), Map.of());
    }
}
