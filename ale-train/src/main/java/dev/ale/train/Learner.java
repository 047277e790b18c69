package dev.ale.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * REINFORCE with group-relative advantages: for each decision of an episode,
 * {@code θ += lr · A · ∇ log π(a|s)}, where A is the episode's GRPO advantage. The episode's
 * advantage (not the per-step IPA credit) is used for every decision: the reward is mostly the
 * verifier's score at the end, and chunk returns normalised across a group also rank steps by
 * their position (early steps collect more discounted return), which would teach "act early"
 * rather than "act well". The group baseline keeps the estimate unbiased.
 */
public final class Learner {

    private final double learningRate;
    private final double entropy;

    public Learner(double learningRate) {
        this(learningRate, 0);
    }

    /**
     * {@code entropy} weighs a bonus for keeping the policy's choices spread: each decision also
     * moves θ by {@code lr · β · ∇H(π(·|s))}. Without it, a group in which every cheap way out
     * scores 0 and the one good path was found rarely collapses onto the cheap way and stops
     * exploring (a flat group teaches nothing).
     */
    public Learner(double learningRate, double entropy) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, was " + learningRate);
        }
        if (!(entropy >= 0) || Double.isInfinite(entropy)) {
            throw new IllegalArgumentException("entropy weight must be 0 or more, was " + entropy);
        }
        this.learningRate = learningRate;
        this.entropy = entropy;
    }

    /** One episode's decisions and its advantage. */
    public record Sample(List<Decision> decisions, double advantage) {
        public Sample {
            decisions = List.copyOf(decisions);
        }
    }

    /** θ after one update over every sample, applied in the order given (so the result is the same for the same order). */
    public Weights update(Weights weights, List<Sample> samples) {
        Map<String, Double> theta = new HashMap<>(weights.byFeature());
        for (Sample sample : samples) {
            for (Decision d : sample.decisions()) {
                if (sample.advantage() != 0) {
                    for (Map.Entry<String, Double> g : gradient(d).entrySet()) {
                        theta.merge(g.getKey(), learningRate * sample.advantage() * g.getValue(), Double::sum);
                    }
                }
                if (entropy > 0) {
                    for (Map.Entry<String, Double> g : entropyGradient(d).entrySet()) {
                        theta.merge(g.getKey(), learningRate * entropy * g.getValue(), Double::sum);
                    }
                }
            }
        }
        return new Weights(theta);
    }

    /**
     * ∇_θ H(π(·|s)) for H = −Σ_b π_b log π_b: with logits z_b = θ·φ_b, ∂H/∂z_b = −π_b (log π_b + H),
     * so ∇_θ H = Σ_b −π_b (log π_b + H) φ_b, for binary features.
     */
    public static Map<String, Double> entropyGradient(Decision d) {
        List<Double> p = d.probabilities();
        double h = 0;
        for (double pb : p) if (pb > 0) h -= pb * Math.log(pb);
        Map<String, Double> g = new HashMap<>();
        for (int b = 0; b < p.size(); b++) {
            double pb = p.get(b);
            if (pb <= 0) continue;
            double dz = -pb * (Math.log(pb) + h);
            for (String f : d.features().get(b)) g.merge(f, dz, Double::sum);
        }
        return g;
    }

    /** ∇_θ log π(a|s) = φ(s, a) − Σ_b π(b|s) φ(s, b), for binary features. */
    public static Map<String, Double> gradient(Decision d) {
        Map<String, Double> g = new HashMap<>();
        for (String f : d.features().get(d.chosen())) g.merge(f, 1.0, Double::sum);
        for (int b = 0; b < d.features().size(); b++) {
            double p = d.probabilities().get(b);
            for (String f : d.features().get(b)) g.merge(f, -p, Double::sum);
        }
        return g;
    }
}
