package dev.ale.train;

/**
 * How to train: iterations, samples per task per iteration (the GRPO group), episodes at once,
 * the seed, the learning rate, and the weight of the entropy bonus (0: none).
 */
public record TrainSettings(int iterations, int samples, int parallel, long seed, double learningRate, double entropy) {

    public static final int DEFAULT_SAMPLES = 8;
    public static final double DEFAULT_LEARNING_RATE = 0.5;

    public TrainSettings {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be at least 1, was " + iterations);
        if (samples < 2) throw new IllegalArgumentException("samples must be at least 2 (a group of one teaches nothing), was " + samples);
        if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1, was " + parallel);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, was " + learningRate);
        }
        if (!(entropy >= 0) || Double.isInfinite(entropy)) {
            throw new IllegalArgumentException("entropy weight must be 0 or more, was " + entropy);
        }
    }

    public TrainSettings(int iterations, int samples, int parallel, long seed, double learningRate) {
        this(iterations, samples, parallel, seed, learningRate, 0);
    }
}
