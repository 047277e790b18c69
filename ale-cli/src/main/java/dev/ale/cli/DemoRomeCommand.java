package dev.ale.cli;

import dev.ale.cli.common.ShippedTasks;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.EpisodeRunner;
import dev.ale.train.ArmComparison;
import dev.ale.train.IterationMetrics;
import dev.ale.train.SoftmaxPolicy;
import dev.ale.train.TrainSettings;
import dev.ale.train.Trainer;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import dev.ale.tasks.TaskLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ale demo rome}: the built-in policy trained twice from one seed on the ROME scenario
 * suite, with the monitor off (detectors only record, no penalty) and with the passports as
 * written, printing each arm's pass rate and hack rate per iteration.
 */
@Command(name = "rome",
        description = {"Train the built-in policy twice from one seed on tasks/rome, whose naive rewards a hack can game:",
                "arm monitor-off (every detector only records, penalty 0) and arm monitor-on (the passports as written:",
                "block or kill, with penalties). Prints each arm's pass rate and hack rate per iteration."})
final class DemoRomeCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--tasks", paramLabel = "DIR", description = "The scenario tasks (default: the repository's tasks/rome).")
    private Optional<Path> tasks = Optional.empty();

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "8", description = "Iterations per arm. Default: 8.")
    private int iterations;

    @Option(names = "--samples", paramLabel = "G", defaultValue = "6", description = "Episodes per task per iteration. Default: 6.")
    private int samples;

    @Option(names = "--parallel", paramLabel = "P", defaultValue = "6", description = "Episodes at once. Default: 6.")
    private int parallel;

    @Mixin
    private LearnerOptions learner = new LearnerOptions();

    DemoRomeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        TrainSettings settings = learner.settings(iterations, samples, parallel);
        List<Task> rome = TaskLoader.loadAll(List.of(tasks.orElseGet(() -> ShippedTasks.dir("rome"))));
        RunSpec spec = new RunSpec(RunStore.newRunId(), rome, samples, parallel, OptionalLong.of(learner.seed));
        cli.err().println("demo rome " + spec.runId() + ": " + rome.size() + " tasks x " + samples + " samples x " + iterations
                + " iterations, two arms from seed " + learner.seed);
        List<IterationMetrics> done = new ArrayList<>();
        Path dir;
        try (GuardedBackend containment = cli.openGuardedBackend(HostResolver.system(), rome);
             RunStore store = RunStore.create(learner.out, spec, SoftmaxPolicy.NAME)) {
            dir = store.directory();
            EpisodeRunner runner = new EpisodeRunner(containment, new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
            new ArmComparison(new Trainer(runner)).run(rome, settings, store, spec.runId(), RunProgress.NONE, m -> {
                done.add(m);
                TrainCommand.progress(cli.err(), m);
            });
        }
        TrainCommand.table(cli.out(), done);
        cli.out().println();
        cli.out().println("run: " + dir + " (metrics.jsonl, episodes.jsonl, checkpoint-monitor-off.json, checkpoint-monitor-on.json)");
        return Failures.OK;
    }
}
