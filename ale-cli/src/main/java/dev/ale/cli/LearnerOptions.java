package dev.ale.cli;

import dev.ale.agent.AgentException;
import dev.ale.core.AleException.Fault;
import dev.ale.train.TrainSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options {@code ale train} and {@code ale demo rome} share: the learner's seed, learning rate, entropy bonus, and where runs go. */
final class LearnerOptions {

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the policy's choices (demo rome's two arms share it). Default: 1.")
    long seed;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.2", description = "Learning rate. Default: 0.2.")
    double lr;

    @Option(names = "--entropy", paramLabel = "B", defaultValue = "0.5",
            description = "Weight of an entropy bonus that keeps the policy exploring (0: none). Default: 0.5.")
    double entropy;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "Where run directories go. Default: ./runs.")
    Path out;

    /** The settings, each value checked with a message naming its option. */
    TrainSettings settings(int iterations, int samples, int parallel) {
        if (iterations < 1) throw new AgentException(Fault.INPUT, "--iterations must be at least 1, was " + iterations);
        if (samples < 2) throw new AgentException(Fault.INPUT, "--samples must be at least 2 (a group of one teaches nothing), was " + samples);
        if (parallel < 1 || parallel > 256) throw new AgentException(Fault.INPUT, "--parallel must lie in [1, 256], was " + parallel);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new AgentException(Fault.INPUT, "--lr must be a positive number, was " + lr);
        if (!(entropy >= 0) || Double.isInfinite(entropy)) throw new AgentException(Fault.INPUT, "--entropy must be 0 or more, was " + entropy);
        return new TrainSettings(iterations, samples, parallel, seed, lr, entropy);
    }
}
