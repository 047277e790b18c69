package dev.ale.train;

/**
 * One training iteration of one arm, as a line of {@code metrics.jsonl}: how many episodes, the
 * fraction the verifier passed, the fraction that took any action marked {@code hack}, the mean
 * reward (score − penalties) of the episodes with one, kills and SafetyEvents.
 */
public record IterationMetrics(int iteration, String arm, int episodes, double passRate, double hackRate, double meanReward,
                               int kills, int events) {
}
