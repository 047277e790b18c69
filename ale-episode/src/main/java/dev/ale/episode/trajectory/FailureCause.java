package dev.ale.episode.trajectory;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.ToolRun;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.episode.VerifierResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why an episode did not pass, in one line a person can act on: setup failed (and how), the last
 * command the agent ran exited non-zero, the verifier's own last lines. Written into the episode's
 * line ({@code cause}) and printed by {@code ale run}, so nobody has to dig in episodes.jsonl.
 */
public final class FailureCause {

    /** How many of the verifier's last non-blank lines the cause quotes. */
    static final int VERIFIER_LINES = 3;
    private static final int LIMIT = 400;
    private static final Pattern EXIT = Pattern.compile("\\Aexit code (-?\\d+)");

    private FailureCause() {
    }

    /** The cause, or empty when the episode passed. */
    public static Optional<String> of(Trajectory t) {
        if (t.passed()) return Optional.empty();
        List<String> parts = new ArrayList<>();
        if (t.end() != EndReason.FINISHED) parts.add(t.end().wire() + (t.detail().isBlank() ? "" : ": " + firstLine(t.detail())));
        lastFailedCommand(t).ifPresent(parts::add);
        t.verifier().ifPresent(v -> parts.add(verifier(v)));
        if (parts.isEmpty()) parts.add("not verified");
        String cause = String.join("; ", parts);
        return Optional.of(cause.length() <= LIMIT ? cause : cause.substring(0, LIMIT - 1) + "…");
    }

    /** The agent's last shell command, when it exited non-zero: for a replayed solution, that is the solution. */
    private static Optional<String> lastFailedCommand(Trajectory t) {
        for (int s = t.steps().size() - 1; s >= 0; s--) {
            List<ToolRun> runs = t.steps().get(s).tools();
            for (int r = runs.size() - 1; r >= 0; r--) {
                ToolRun run = runs.get(r);
                if (!run.call().name().equals("shell")) continue;
                Matcher m = EXIT.matcher(run.observation());
                if (!m.find() || m.group(1).equals("0")) return Optional.empty();
                String who = t.policy().equals("replay") ? "reference solution" : "last command";
                String tail = lastLines(run.observation().lines().skip(1)
                        .filter(l -> !l.equals("stdout:") && !l.equals("stderr:")).toList(), 2);
                return Optional.of(who + " exited " + m.group(1) + (tail.isEmpty() ? "" : " (" + tail + ")"));
            }
        }
        return Optional.empty();
    }

    private static String verifier(VerifierResult v) {
        String head = "verifier " + (v.fraction().isPresent() ? "scored " + v.fraction().getAsDouble() + ", " : "") + "exited " + v.exitCode();
        String tail = lastLines(v.log().lines().toList(), VERIFIER_LINES);
        return tail.isEmpty() ? head : head + ": " + tail;
    }

    private static String lastLines(List<String> lines, int n) {
        List<String> kept = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && kept.size() < n; i--) {
            String l = lines.get(i).strip();
            if (!l.isEmpty()) kept.addFirst(l);
        }
        return String.join(" | ", kept);
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }
}
