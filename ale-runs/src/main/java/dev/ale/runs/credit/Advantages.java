package dev.ale.runs.credit;

import java.util.ArrayList;
import java.util.List;

/**
 * Group-relative advantages (GRPO): each episode's total reward against the mean and standard
 * deviation of its group (the samples of one task in one iteration), and per-step credit as in
 * ROLL's IPA, where each policy turn is a chunk: the chunk's discounted return
 * {@code G_t = Σ_{k≥t} γ^(k−t) r_k}, normalised against every chunk return of the group. A group
 * whose rewards are all equal teaches nothing: its advantages are 0.
 */
public final class Advantages {

    /** Below this spread a group counts as all-equal (rewards are sums of a few decimals). */
    static final double EPSILON = 1e-6;

    private Advantages() {
    }

    /** {@code (R_i − mean) / std}, population standard deviation; 0 for every member of a flat group. */
    public static List<Double> episodes(List<Double> rewards) {
        double mean = mean(rewards);
        double std = std(rewards, mean);
        List<Double> out = new ArrayList<>(rewards.size());
        for (double r : rewards) out.add(std < EPSILON ? 0.0 : (r - mean) / std);
        return out;
    }

    /** Discounted returns of one episode's per-step rewards. */
    public static List<Double> returns(List<Double> stepRewards, double gamma) {
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must lie in (0, 1], was " + gamma);
        double[] g = new double[stepRewards.size()];
        double next = 0;
        for (int t = stepRewards.size() - 1; t >= 0; t--) {
            next = stepRewards.get(t) + gamma * next;
            g[t] = next;
        }
        List<Double> out = new ArrayList<>(g.length);
        for (double v : g) out.add(v);
        return out;
    }

    /**
     * Per-step advantages for a group: every episode's chunk returns, normalised by the mean and
     * standard deviation of all chunk returns in the group.
     */
    public static List<List<Double>> steps(List<List<Double>> groupReturns) {
        List<Double> all = groupReturns.stream().flatMap(List::stream).toList();
        double mean = mean(all);
        double std = std(all, mean);
        List<List<Double>> out = new ArrayList<>(groupReturns.size());
        for (List<Double> episode : groupReturns) {
            List<Double> a = new ArrayList<>(episode.size());
            for (double g : episode) a.add(std < EPSILON ? 0.0 : (g - mean) / std);
            out.add(a);
        }
        return out;
    }

    private static double mean(List<Double> xs) {
        return xs.isEmpty() ? 0 : xs.stream().mapToDouble(Double::doubleValue).sum() / xs.size();
    }

    private static double std(List<Double> xs, double mean) {
        if (xs.isEmpty()) return 0;
        double sq = 0;
        for (double x : xs) sq += (x - mean) * (x - mean);
        return Math.sqrt(sq / xs.size());
    }
}
