package dev.ale.cli.bench;

import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ale bench sandbox}: start-up latency against bwrap and fork, then many sandboxes at once. */
@Command(name = "sandbox",
        description = {
                "Measure sandbox start-up, and many sandboxes at once.",
                "Latency: create + exec `true` + destroy, and `true` in a sandbox already up, with a warm pool (each run claims",
                "from a full pool) and cold on each exec path (resident init, bubblewrap per call), interleaved with the same",
                "number of bare bwrap and fork/exec runs.",
                "Files: a 4 KiB write and read in a sandbox already up, by the resident init's own requests and by the shell script.",
                "Concurrency: sandboxes made in parallel, each with a shell that ran `echo ready`; memory and teardown."})
public final class BenchSandboxCommand implements Callable<Integer> {

    private final BiFunction<LocalSandboxBackend.ExecPath, Integer, LocalSandboxBackend> backends;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "200", description = "Measured runs of each kind (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20",
            description = "Unmeasured runs of each kind first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--concurrent", paramLabel = "M", defaultValue = "200",
            description = "Sandboxes up at the same time (default: ${DEFAULT-VALUE}).")
    private int concurrent;

    @Option(names = "--creators", paramLabel = "K", defaultValue = "16",
            description = "Sandboxes being made at once (default: ${DEFAULT-VALUE}).")
    private int creators;

    @Option(names = "--warm-pool", paramLabel = "N", defaultValue = "2",
            description = "Blank sandboxes the pooled path keeps ready (default: ${DEFAULT-VALUE}; 0 leaves the pooled path out).")
    private int warmPool;

    @Option(names = "--json", description = "Print one JSON object instead of the report.")
    private boolean json;

    /** {@code backends}: the local backend on the given exec path with a warm pool of the given size (0: none). */
    public BenchSandboxCommand(BiFunction<LocalSandboxBackend.ExecPath, Integer, LocalSandboxBackend> backends, PrintStream out) {
        this.backends = backends;
        this.out = out;
    }

    @Override
    public Integer call() {
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        BenchOptions.atLeast(spec, "--concurrent", concurrent, 1);
        BenchOptions.atLeast(spec, "--creators", creators, 1);
        BenchOptions.atLeast(spec, "--warm-pool", warmPool, 0);
        BenchReport report;
        try (LocalSandboxBackend backend = backends.apply(LocalSandboxBackend.ExecPath.RESIDENT_INIT, 0);
             LocalSandboxBackend perCall = backends.apply(LocalSandboxBackend.ExecPath.BWRAP_PER_CALL, 0);
             LocalSandboxBackend pooled = backends.apply(LocalSandboxBackend.ExecPath.RESIDENT_INIT, warmPool)) {
            if (!json) out.println("Measuring " + runs + " runs of each kind after " + warmup + " warm-up runs, then "
                    + concurrent + " sandboxes at once...");
            Map<String, SandboxBackend> paths = new LinkedHashMap<>();
            Map<String, Runnable> settle = new LinkedHashMap<>();
            if (warmPool > 0) {
                // each run measures a claim from a full pool, as a sandbox asked for at a pace the pool keeps up with gets
                paths.put("pooled", pooled);
                settle.put("pooled", () -> pooled.awaitWarm(Duration.ofSeconds(30)));
            }
            // a build without the init's binary has only the per-call path (the backend logged why)
            if (backend.execPath() == LocalSandboxBackend.ExecPath.RESIDENT_INIT) paths.put("resident", backend);
            paths.put("per-call", perCall);
            LatencyBench.Result latency = new LatencyBench(paths, settle).run(runs, warmup);
            Optional<FilesBench.Result> files = backend.execPath() == LocalSandboxBackend.ExecPath.RESIDENT_INIT
                    ? Optional.of(new FilesBench(backend).run(runs, warmup)) : Optional.empty();
            ConcurrencyBench.Result concurrency = new ConcurrencyBench(backend).run(concurrent, creators);
            report = new BenchReport(backend.name(), latency, concurrency, files);
        }
        if (json) report.printJson(out);
        else report.print(out);
        return 0;
    }
}
