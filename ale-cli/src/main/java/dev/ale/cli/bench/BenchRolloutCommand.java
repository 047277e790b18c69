package dev.ale.cli.bench;

import dev.ale.cli.common.ShippedTasks;
import dev.ale.agent.loop.AgentLoop;
import dev.ale.agent.loop.LoopSettings;
import dev.ale.agent.policy.ReplayPolicy;
import dev.ale.agent.tool.Toolbox;
import dev.ale.core.AleException;
import dev.ale.core.episode.Trajectory;
import dev.ale.core.task.CopyIn;
import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.episode.EpisodeRunner;
import dev.ale.episode.EpisodeSpec;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.util.Map;

/**
 * {@code ale bench rollout}: episodes per minute of the example tasks with the replay policy —
 * each in a fresh guarded sandbox, through the agent's tools, verified — against a bare loop of
 * bwrap runs doing the same commands (copy the files in, setup, solution, verifier) with no
 * gateway, monitor, cgroup or agent loop, in the same run, at each level of parallelism.
 */
@Command(name = "rollout",
        description = {"Measure episodes per minute: the example tasks by their reference solutions through ALE",
                "(fresh guarded sandbox, agent tools, verifier) against bare bwrap runs of the same commands,",
                "interleaved in one run, at 1, 2, 4 and 8 episodes at once."})
public final class BenchRolloutCommand implements Callable<Integer> {

    private final Function<HostResolver, GuardedBackend> containments;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--tasks", paramLabel = "DIR", description = "Tasks to run (default: the repository's tasks/examples).")
    private Optional<Path> tasks;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "2",
            description = "Times each task runs at each level, for each side (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--parallel", paramLabel = "P", split = ",", defaultValue = "1,2,4,8",
            description = "Levels of parallelism (default: ${DEFAULT-VALUE}).")
    private List<Integer> levels;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = {"Unmeasured episodes of the first task on each side before the first level (default: ${DEFAULT-VALUE}):",
                    "the JIT's first pass, and the warm pool's first creates of the tasks' shape (it fills a shape from its second)."})
    private int warmup;

    @Option(names = "--phases", description = {"Also print where each side's time went, in mean ms per episode: ALE's setup, agent",
            "steps, verify and the rest (sandbox create and destroy, bookkeeping); bare bwrap's four runs and the rest."})
    private boolean phases;

    public BenchRolloutCommand(Function<HostResolver, GuardedBackend> containments, PrintStream out) {
        this.containments = containments;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions.atLeast(spec, "--rounds", rounds, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        for (int p : levels) BenchOptions.atLeast(spec, "--parallel", p, 1);
        Path dir = tasks.orElseGet(() -> ShippedTasks.dir("examples"));
        List<Task> all = TaskLoader.loadAll(List.of(dir)).stream().filter(t -> t.solution().isPresent()).toList();
        if (all.isEmpty()) throw new AleException(AleException.Fault.INPUT, "no tasks with a reference solution under " + dir);
        out.printf(Locale.ROOT, "%d tasks x %d rounds per side and level; levels %s; after %d unmeasured episodes of each side%n",
                all.size(), rounds, levels, warmup);
        out.printf(Locale.ROOT, "%-9s %14s %14s %8s %10s %10s%n", "parallel", "ALE ep/min", "bwrap ep/min", "ratio", "ALE pass", "bwrap pass");
        try (GuardedBackend containment = containments.apply(HostResolver.pinned(Map.of()))) {
            EpisodeRunner runner = new EpisodeRunner(containment, new AgentLoop(Toolbox.standard(), LoopSettings.defaults()));
            Task first = all.getFirst();
            Phases unmeasured = new Phases("copy", "setup", "solution", "verify", "rest");
            for (int w = 0; w < warmup; w++) {
                runner.run(first, ReplayPolicy.ofSolution(read(first.solution().orElseThrow())),
                        new EpisodeSpec("bench.warmup." + first.id() + "." + w, 0, OptionalLong.empty()), s -> { });
                bareEpisode(first, unmeasured);
            }
            for (int p : levels) {
                // interleaved halves, so a slow patch of the machine falls on both sides
                Side ale = new Side();
                Side bare = new Side();
                Phases alePhases = new Phases("setup", "agent", "verify", "rest");
                Phases barePhases = new Phases("copy", "setup", "solution", "verify", "rest");
                for (int r = 0; r < rounds; r++) {
                    int round = r;
                    ale.add(measure(all, p, t -> {
                        Trajectory done = runner.run(t, ReplayPolicy.ofSolution(read(t.solution().orElseThrow())),
                                new EpisodeSpec("bench." + t.id() + "." + p + "." + round, 0, OptionalLong.empty()), s -> { });
                        Trajectory.Timings took = done.timings();
                        alePhases.add(took.setup(), took.agent(), took.verify(), took.total().minus(took.setup()).minus(took.agent())
                                .minus(took.verify()));
                        return done.passed();
                    }));
                    bare.add(measure(all, p, t -> bareEpisode(t, barePhases)));
                }
                out.printf(Locale.ROOT, "%-9d %14.1f %14.1f %7.2fx %5d/%-4d %5d/%-4d%n", p, ale.perMinute(), bare.perMinute(),
                        ale.perMinute() / bare.perMinute(), ale.passed, ale.episodes, bare.passed, bare.episodes);
                if (phases) {
                    out.println("          ALE   " + alePhases);
                    out.println("          bwrap " + barePhases);
                }
            }
        }
        return 0;
    }

    private static final class Side {
        long nanos;
        int episodes;
        int passed;

        void add(Side other) {
            nanos += other.nanos;
            episodes += other.episodes;
            passed += other.passed;
        }

        double perMinute() {
            return episodes * 60e9 / nanos;
        }
    }

    /** Mean time per episode of each named phase, added from many threads. */
    private static final class Phases {
        private final List<String> names;
        private final LongAdder[] nanos;
        private final LongAdder episodes = new LongAdder();

        Phases(String... names) {
            this.names = List.of(names);
            this.nanos = new LongAdder[names.length];
            for (int i = 0; i < names.length; i++) nanos[i] = new LongAdder();
        }

        void add(Duration... took) {
            for (int i = 0; i < took.length; i++) nanos[i].add(took[i].toNanos());
            episodes.increment();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("ms/episode:");
            long n = Math.max(1, episodes.sum());
            for (int i = 0; i < names.size(); i++) b.append(String.format(Locale.ROOT, " %s %.1f", names.get(i), nanos[i].sum() / 1e6 / n));
            return b.toString();
        }
    }

    private interface Episode {
        boolean run(Task task) throws Exception;
    }

    private static Side measure(List<Task> tasks, int parallel, Episode episode) throws Exception {
        Semaphore slots = new Semaphore(parallel);
        AtomicInteger passed = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (Task t : tasks) {
                futures.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        if (episode.run(t)) passed.incrementAndGet();
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        Side s = new Side();
        s.nanos = System.nanoTime() - start;
        s.episodes = tasks.size();
        s.passed = passed.get();
        return s;
    }

    /**
     * The same commands as an episode, each in its own bare bwrap run over one host directory
     * standing for /workspace and one for /tmp: copy the task's files in, setup, the reference
     * solution, then the verifier with its files. True when the verifier passed.
     */
    static boolean bareEpisode(Task task, Phases phases) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Duration[] took = {Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO};
        Path root = Files.createTempDirectory("ale-bench-bare");
        try {
            Path workspace = Files.createDirectories(root.resolve("workspace"));
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            Files.createDirectories(root.resolve("tests")); // /tests, as a sandbox has it
            String workdir = task.environment().workdir();
            StringBuilder copy = new StringBuilder("mkdir -p " + q(workdir));
            for (CopyIn c : task.environment().files()) copy.append(" && ").append(copyCommand(task, c));
            long at = System.nanoTime();
            if (bwrap(task, workspace, tmp, copy.toString()) != 0) return false;
            at = lap(took, 0, at);
            if (task.environment().setupScript().isPresent()) {
                CopyIn s = task.environment().setupScript().get();
                if (bwrap(task, workspace, tmp, "cd " + q(workdir) + " && bash " + q(taskPath(task, s.source()))) != 0) return false;
            }
            at = lap(took, 1, at);
            bwrap(task, workspace, tmp, "cd " + q(workdir) + " && bash " + q(taskPath(task, task.solution().orElseThrow())));
            at = lap(took, 2, at);
            StringBuilder verify = new StringBuilder("mkdir -p /tmp/ale-verifier");
            for (CopyIn c : task.verifier().files()) verify.append(" && ").append(copyCommand(task, c));
            verify.append(" && ").append(copyCommand(task, task.verifier().script()));
            verify.append(" && cd ").append(q(workdir)).append(" && TEST_DIR=/tests ALE_VERIFIER_DIR=/tmp/ale-verifier")
                    .append(" ALE_SCORE_FILE=/tmp/ale-verifier/score bash ").append(q(task.verifier().script().target()));
            boolean passed = bwrap(task, workspace, tmp, verify.toString()) == 0;
            lap(took, 3, at);
            return passed;
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
            took[4] = Duration.ofNanos(System.nanoTime() - start).minus(took[0]).minus(took[1]).minus(took[2]).minus(took[3]);
            phases.add(took);
        }
    }

    /** Records the time since {@code since} as phase {@code i}; returns now, where the next phase starts. */
    private static long lap(Duration[] took, int i, long since) {
        long now = System.nanoTime();
        took[i] = Duration.ofNanos(now - since);
        return now;
    }

    private static String copyCommand(Task task, CopyIn c) {
        String src = taskPath(task, c.source());
        if (Files.isDirectory(c.source())) return "mkdir -p " + q(c.target()) + " && cp -a " + q(src + "/.") + " " + q(c.target());
        return "mkdir -p \"$(dirname " + q(c.target()) + ")\" && cp " + q(src) + " " + q(c.target());
    }

    private static String taskPath(Task task, Path hostPath) {
        return "/task/" + task.directory().relativize(hostPath);
    }

    private static int bwrap(Task task, Path workspace, Path tmp, String script) throws IOException, InterruptedException {
        // a root of its own from the host's /usr and /etc (merged /usr, as on Debian 12): the host root itself
        // is read-only, so bwrap could not make /workspace or /task on it
        Process p = new ProcessBuilder("bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--symlink", "usr/sbin", "/sbin", "--dev", "/dev", "--proc", "/proc",
                "--bind", workspace.toString(), "/workspace", "--bind", tmp.toString(), "/tmp",
                "--bind", workspace.resolveSibling("tests").toString(), "/tests",
                "--ro-bind", task.directory().toString(), "/task", "--unshare-all", "--die-with-parent",
                "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/workspace",
                "bash", "-c", script)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AleException(AleException.Fault.INPUT, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
