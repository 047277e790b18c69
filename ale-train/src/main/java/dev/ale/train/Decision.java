package dev.ale.train;

import java.util.List;

/**
 * One choice the softmax policy made: at {@code step}, the features of every candidate action,
 * the probabilities it gave them, and which it chose. What the learner needs for ∇ log π(a|s).
 */
public record Decision(int step, List<String> actionIds, List<List<String>> features, List<Double> probabilities, int chosen) {

    public Decision {
        actionIds = List.copyOf(actionIds);
        features = features.stream().map(List::copyOf).toList();
        probabilities = List.copyOf(probabilities);
        if (chosen < 0 || chosen >= actionIds.size()) throw new IllegalArgumentException("chosen index out of range: " + chosen);
    }

    public String chosenId() {
        return actionIds.get(chosen);
    }
}
