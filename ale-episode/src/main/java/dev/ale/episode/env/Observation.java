package dev.ale.episode.env;

import dev.ale.core.model.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What {@link Environment#reset} answers: the task's instruction, and what the agent may do about it. */
public record Observation(String episodeId, String taskId, String instruction, List<ToolSpec> tools, String workdir, int maxSteps,
                          Duration wallTime, ActionFormat.Kind actionFormat) {

    public Observation {
        Objects.requireNonNull(instruction, "instruction");
        tools = List.copyOf(tools);
    }
}
