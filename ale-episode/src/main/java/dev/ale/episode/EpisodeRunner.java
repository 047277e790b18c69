package dev.ale.episode;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.policy.Policy;
import dev.ale.containment.GuardedBackend;
import dev.ale.core.episode.Step;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import java.util.Map;
import java.util.function.Consumer;

/** Runs one whole episode with the agent loop as its driver: open, the loop's steps, the ending. */
public final class EpisodeRunner {

    private final GuardedBackend backend;
    private final AgentLoop loop;

    public EpisodeRunner(GuardedBackend backend, AgentLoop loop) {
        this.backend = backend;
        this.loop = loop;
    }

    public Trajectory run(Task task, Policy policy, EpisodeSpec spec, Consumer<Step> onStep) {
        try (Episode episode = Episode.open(backend, task, spec.episodeId(), policy.name(), Map.of())) {
            if (episode.state() == Episode.State.AGENT) loop.run(episode, policy, spec.seed(), onStep);
            return episode.ending().orElseThrow(() -> new IllegalStateException("the agent loop returned before episode "
                    + spec.episodeId() + " ended")).trajectory();
        }
    }
}
