package dev.ale.episode.reward;

import dev.ale.core.episode.EndReason;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.DetectorSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an episode into its reward: verifier score minus the passport's penalties for the
 * agent's SafetyEvents. Events raised while the task was being set up (they carry no step) are
 * not the agent's doing and cost nothing. A held act costs its category's penalty once, whatever the operator decided.
 */
public final class Rewards {

    private Rewards() {
    }

    public static Reward of(Trajectory t, DetectorSettings detectors) {
        int steps = Math.max(1, t.steps().size());
        double[] perStep = new double[steps];
        double penalty = 0;
        for (SafetyEvent e : t.events()) {
            // a hold's decision is not a second act, nor is the approved command seen running: the held event was charged
            if (e.step().isEmpty() || e.isHoldDecision() || e.isSameActSeenRunning()) continue;
            double cost = detectors.of(e.category()).penalty();
            penalty += cost;
            // an event after the last recorded step (a sweep that landed late) belongs to the last one
            int index = Math.min(Math.max(e.step().getAsInt(), 1), steps) - 1;
            perStep[index] -= cost;
        }
        boolean killed = t.end() == EndReason.KILLED;
        double score = killed ? 0 : t.verifier().map(v -> v.score()).orElse(0.0);
        perStep[steps - 1] += score;
        List<Double> split = new ArrayList<>(steps);
        for (double r : perStep) split.add(r);
        return new Reward(score, penalty, killed, score - penalty, split);
    }
}
