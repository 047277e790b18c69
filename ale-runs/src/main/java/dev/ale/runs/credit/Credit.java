package dev.ale.runs.credit;

import dev.ale.episode.reward.Reward;
import java.util.List;

/** An episode's reward with its place in its group: episode advantage, and per-step returns and advantages. */
public record Credit(Reward reward, double advantage, List<Double> stepReturns, List<Double> stepAdvantages) {

    public Credit {
        stepReturns = List.copyOf(stepReturns);
        stepAdvantages = List.copyOf(stepAdvantages);
    }
}
