package dev.ale.cli;

import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.passport.signing.TaskSignatures;
import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.EpisodeRunner;
import dev.ale.train.Arm;
import dev.ale.train.Checkpoint;
import dev.ale.train.IterationMetrics;
import dev.ale.train.SoftmaxPolicy;
import dev.ale.train.TrainSettings;
import dev.ale.train.Trainer;
import dev.ale.train.Weights;
import dev.ale.runs.credit.GroupCredit;
import dev.ale.runs.RunProgress;
import dev.ale.runs.RunSpec;
import dev.ale.runs.RunStore;
import dev.ale.tasks.TaskLoader;
import dev.ale.runs.export.Dataset;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ale train}: trains the built-in softmax policy on tasks with candidate actions
 * (REINFORCE with GRPO advantages), writing metrics.jsonl, episodes.jsonl and checkpoint.json
 * under {@code <out>/<run-id>/}.
 */
@Command(name = "train",
        description = {"Train the built-in softmax policy on tasks that list candidate actions: each iteration runs every",
                "task SAMPLES times in fresh sandboxes under the monitor, scores them (verifier score minus passport",
                "penalties), and updates the policy with group-relative advantages. Writes OUT/RUN-ID/metrics.jsonl,",
                "episodes.jsonl and checkpoint.json."},
        footer = {"", "Example:", "  ale train tasks/rome --iterations 10 --samples 8 --parallel 8 --seed 1"})
final class TrainCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(arity = "1..*", paramLabel = "TASK_DIR", description = "A task directory, or a directory of task directories.")
    private List<Path> taskDirs;

    @Option(names = "--iterations", paramLabel = "N", required = true, description = "Training iterations.")
    private int iterations;

    @Option(names = "--samples", paramLabel = "G", defaultValue = "8", description = "Episodes per task per iteration (the GRPO group). Default: 8.")
    private int samples;

    @Option(names = "--parallel", paramLabel = "P", defaultValue = "4", description = "Episodes at once. Default: 4.")
    private int parallel;

    @Mixin
    private LearnerOptions learner = new LearnerOptions();

    @Option(names = "--allow-holds", description = "Keep the passport's hold actions (a held act waits for its deadline, stalling the"
            + " rollout). Without it a hold takes the passport's hold fallback.")
    private boolean allowHolds;

    @Mixin
    private SignedPassportOptions signing = new SignedPassportOptions();

    TrainCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        TrainSettings settings = learner.settings(iterations, samples, parallel);
        List<Task> loaded = TaskLoader.loadAll(taskDirs);
        // a signature is of the passport as written, before the holds give way to the fallback
        signing.trusted().ifPresent(keys -> TaskSignatures.check(loaded, keys));
        List<Task> tasks = HoldFallback.apply(loaded, allowHolds, cli.err());
        RunSpec spec = new RunSpec(RunStore.newRunId(), tasks, samples, parallel, OptionalLong.of(learner.seed));
        cli.err().println("train " + spec.runId() + ": " + tasks.size() + " task" + (tasks.size() == 1 ? "" : "s") + " x " + samples
                + " samples x " + iterations + " iterations, " + parallel + " at a time, seed " + learner.seed + ", lr " + learner.lr);
        List<IterationMetrics> done = new ArrayList<>();
        Path dir;
        try (GuardedBackend containment = cli.openGuardedBackend(HostResolver.system(), tasks);
             RunStore store = RunStore.create(learner.out, spec, SoftmaxPolicy.NAME)) {
            dir = store.directory();
            EpisodeRunner runner = new EpisodeRunner(containment, new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
            Trainer.Result result = new Trainer(runner).train(tasks, Arm.monitorOn(), settings, Weights.ZERO, store, spec.runId(),
                    RunProgress.NONE, m -> {
                        done.add(m);
                        progress(cli.err(), m);
                    });
            Checkpoint.write(dir.resolve("checkpoint.json"), result.weights());
            Dataset.write(dir.resolve(Dataset.FILE), Dataset.of(store.lines(), GroupCredit.DEFAULT_GAMMA));
        }
        table(cli.out(), done);
        cli.out().println();
        cli.out().println("metrics:    " + dir.resolve(Trainer.METRICS));
        cli.out().println("episodes:   " + dir.resolve(RunStore.EPISODES));
        cli.out().println("checkpoint: " + dir.resolve("checkpoint.json"));
        cli.out().println("dataset:    " + dir.resolve(Dataset.FILE));
        return Failures.OK;
    }

    static void progress(PrintStream err, IterationMetrics m) {
        err.printf(Locale.ROOT, "[%s] iteration %d: %d episodes, pass %.0f%%, hack %.0f%%, mean reward %+.3f, %d kills, %d events%n",
                m.arm(), m.iteration(), m.episodes(), 100 * m.passRate(), 100 * m.hackRate(), m.meanReward(), m.kills(), m.events());
    }

    static void table(PrintStream out, List<IterationMetrics> metrics) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ARM", "ITERATION", "EPISODES", "PASS RATE", "HACK RATE", "MEAN REWARD", "KILLS", "EVENTS"));
        for (IterationMetrics m : metrics) {
            rows.add(List.of(m.arm(), String.valueOf(m.iteration()), String.valueOf(m.episodes()),
                    String.format(Locale.ROOT, "%.0f%%", 100 * m.passRate()), String.format(Locale.ROOT, "%.0f%%", 100 * m.hackRate()),
                    String.format(Locale.ROOT, "%+.3f", m.meanReward()), String.valueOf(m.kills()), String.valueOf(m.events())));
        }
        Tables.print(out, rows);
    }
}
