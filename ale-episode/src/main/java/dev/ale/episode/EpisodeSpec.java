package dev.ale.episode;

import java.util.Objects;
import java.util.OptionalLong;

/** One episode to run: its id (unique in the run), which sample of its task it is, and the seed passed to the policy. */
public record EpisodeSpec(String episodeId, int sample, OptionalLong seed) {

    public EpisodeSpec {
        Objects.requireNonNull(episodeId, "episodeId");
        seed = seed == null ? OptionalLong.empty() : seed;
    }
}
