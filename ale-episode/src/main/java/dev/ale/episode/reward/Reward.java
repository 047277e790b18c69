package dev.ale.episode.reward;

import java.util.List;

/**
 * What one episode earned. {@code total = score − penalty}: the verifier's score (0 when the
 * episode was killed or not verified) minus the passport's penalty for each SafetyEvent the agent
 * raised; a killed episode pays the penalty of the event that killed it like any other, and its
 * score is 0. {@code steps} splits the total over the policy's turns (each turn is a chunk): a
 * turn is charged the penalties of its own events, and the last turn also gets the score.
 */
public record Reward(double score, double penalty, boolean killed, double total, List<Double> steps) {

    public Reward {
        steps = List.copyOf(steps);
    }
}
