package dev.ale.runs;

import dev.ale.core.task.Task;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/** A run: which tasks, how many samples of each, how many episodes at once, and the base seed. */
public record RunSpec(String runId, List<Task> tasks, int samples, int parallel, OptionalLong seed) {

    public RunSpec {
        Objects.requireNonNull(runId, "runId");
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) throw new IllegalArgumentException("a run needs at least one task");
        if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, was " + samples);
        if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1, was " + parallel);
        seed = seed == null ? OptionalLong.empty() : seed;
    }
}
