package dev.ale.cli.bench;

import dev.ale.core.task.Task;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.tasks.TaskLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ale bench gem}: what serving GEM environments over HTTP costs a step. The same task's
 * environments, over the same containment, stepped through an {@code AleServer} on loopback and
 * by calling {@code Environment#step} in this JVM, in one run, interleaved.
 */
@Command(name = "gem",
        description = {
                "Measure GEM environments served over HTTP against the same environments",
                "stepped in-process, in one run: one step's latency (p50/p90/p99, the two",
                "interleaved step by step, with a bare HTTP round trip for scale) and steps",
                "per second with many environments stepping at once. Each step is a shell",
                "call of `true` in the sandbox, so that what HTTP adds shows; making and",
                "resetting environments is not timed."})
public final class BenchGemCommand implements Callable<Integer> {

    private final Function<HostResolver, GuardedBackend> containments;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "1000",
            description = "Measured steps of each side for latency (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "100",
            description = "Unmeasured steps of each side first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--envs", paramLabel = "N", defaultValue = "64",
            description = "Environments of each side stepping at once for throughput (default: ${DEFAULT-VALUE}).")
    private int envs;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "How long each side steps in each throughput round (default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "2",
            description = "Throughput rounds, each side once a round, the order swapped each round (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--json", description = "Print one JSON object instead of the report.")
    private boolean json;

    public BenchGemCommand(Function<HostResolver, GuardedBackend> containments, PrintStream out) {
        this.containments = containments;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions.atLeast(spec, "--steps", steps, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        BenchOptions.atLeast(spec, "--envs", envs, 1);
        BenchOptions.atLeast(spec, "--seconds", seconds, 1);
        BenchOptions.atLeast(spec, "--rounds", rounds, 1);
        String load = loadAverage();
        GemStepBench.Latency latency;
        GemStepBench.Throughput throughput;
        Path dir = Files.createTempDirectory("ale-bench-gem-");
        try {
            Task task = TaskLoader.load(writeTask(dir));
            // a step runs `true`: nothing is resolved, and the host's resolver is never asked
            try (GuardedBackend containment = containments.apply(HostResolver.pinned(Map.of()));
                 InProcessGemEnvs local = new InProcessGemEnvs(containment, task);
                 HttpGemEnvs http = new HttpGemEnvs(containment, task)) {
                GemStepBench bench = new GemStepBench(local, http);
                if (!json) out.println("Server on " + http.url() + "; measuring latency, " + steps + " steps of each side after "
                        + warmup + " warm-up steps...");
                latency = bench.latency(steps, warmup);
                if (!json) out.println("Measuring throughput, " + envs + " environments of each side, " + rounds + " rounds of "
                        + seconds + " s per side...");
                throughput = bench.throughput(envs, rounds, Duration.ofSeconds(seconds));
            }
        } finally {
            delete(dir);
        }
        GemReport report = new GemReport(load, latency, throughput);
        if (json) report.printJson(out);
        else report.print(out);
        return 0;
    }

    /**
     * A task that never ends while the bench steps it: a step budget no run reaches, and wall
     * times (the agent's, and the sandbox's in the passport) far beyond any run's.
     */
    static Path writeTask(Path dir) throws IOException {
        Path task = Files.createDirectories(dir.resolve("gem-bench"));
        Files.writeString(task.resolve("verify.sh"), "#!/bin/bash\ntrue\n");
        Files.writeString(task.resolve(TaskLoader.TASK_FILE), """
                id: gem-bench
                instruction: |
                  Benchmark environment of ale bench gem and ale bench cluster: every step is a shell call of `true`.
                environment:
                  workdir: /workspace
                verifier:
                  script: verify.sh
                  timeout: 30s
                budget:
                  steps: 1000000000
                  wall: 12h
                passport:
                  resources: {wallTime: 12h}
                """);
        return task;
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
