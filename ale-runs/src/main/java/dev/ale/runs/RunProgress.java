package dev.ale.runs;

import dev.ale.core.episode.Step;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.episode.EpisodeSpec;

/** Told what a run is doing, as it happens (the CLI draws progress from it). Called from many threads. */
public interface RunProgress {

    RunProgress NONE = new RunProgress() {
    };

    default void episodeStarted(Task task, EpisodeSpec episode) {
    }

    default void stepDone(EpisodeSpec episode, Step step) {
    }

    default void episodeEnded(Task task, Trajectory trajectory) {
    }

    /** The infrastructure failed the episode ({@code failed} says how); attempt {@code attempt} starts now. */
    default void retrying(Task task, EpisodeSpec episode, int attempt, Trajectory failed) {
    }
}
