package dev.ale.cli.demo;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.AleException;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.Task;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The third part of the demo: every example task, solved by its reference solution through the
 * agent's own tools (the replay policy), in a guarded sandbox, and scored by its verifier.
 */
final class TaskTour {

    private final GuardedBackend containment;
    private final Progress progress;
    private final Path tasks;

    TaskTour(GuardedBackend containment, Progress progress, Path tasks) {
        this.containment = containment;
        this.progress = progress;
        this.tasks = tasks;
    }

    List<Check> run() {
        progress.heading("Example tasks, each solved by its reference solution through the agent's tools and scored by its verifier");
        if (!Files.isDirectory(tasks)) {
            progress.note("no example tasks at " + tasks + " (run from the repository, or pass --tasks DIR)");
            return List.of(new Check("example tasks", "found at " + tasks, "missing", false));
        }
        EpisodeRunner runner = new EpisodeRunner(containment, new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
        List<Check> checks = new ArrayList<>();
        for (Task task : TaskLoader.loadAll(List.of(tasks))) {
            progress.started(task.id());
            Check check;
            if (task.solution().isEmpty()) {
                check = new Check("task " + task.id(), "passes (replay)", "no reference solution", false);
            } else {
                Trajectory t = runner.run(task, ReplayPolicy.ofSolution(read(task.solution().get())),
                        new EpisodeSpec("demo." + task.id() + ".0", 0, OptionalLong.empty()), s -> { });
                String observed = t.verifier().map(v -> (v.passed() ? "passed" : "failed") + String.format(Locale.ROOT, " in %.1f s",
                        t.timings().total().toMillis() / 1000.0)).orElse(t.end().wire() + ": " + t.detail());
                check = new Check("task " + task.id(), "passes (replay)", observed, t.passed());
            }
            progress.finished(check);
            checks.add(check);
        }
        return checks;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
