package dev.ale.cli.bench;

import dev.ale.core.sandbox.SandboxNetwork;
import dev.ale.gateway.HostResolver;
import dev.ale.containment.GuardedBackend;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ale bench monitor}: act-to-kill latency per category, and what containment costs a workload. */
@Command(name = "monitor",
        description = {
                "Measure the monitor and gateway on real sandboxes.",
                "Kill latency: scripts in /workspace mine, tunnel, open a reverse shell,",
                "probe and reach for cloud metadata; the time from each act to the kill,",
                "and the rule that killed it.",
                "Overhead: CPU-bound and file-heavy workloads behind the gateway and monitor",
                "against a plain loopback-only sandbox, interleaved.",
                "The acts send packets to outside addresses: run this in a network namespace",
                "with no route out."})
public final class BenchMonitorCommand implements Callable<Integer> {

    private final Function<HostResolver, GuardedBackend> containments;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "20",
            description = "Acts of each category (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--overhead-runs", paramLabel = "N", defaultValue = "10",
            description = "Measured runs of each workload in each kind of sandbox (default: ${DEFAULT-VALUE}).")
    private int overheadRuns;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
            description = "Unmeasured workload runs of each kind first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--part", paramLabel = "PART", defaultValue = "all",
            description = "all, kill or overhead (default: ${DEFAULT-VALUE}).")
    private String part;

    @Option(names = "--json", description = "Print one JSON object instead of the report.")
    private boolean json;

    public BenchMonitorCommand(Function<HostResolver, GuardedBackend> containments, PrintStream out) {
        this.containments = containments;
        this.out = out;
    }

    @Override
    public Integer call() {
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--overhead-runs", overheadRuns, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        if (!part.equals("all") && !part.equals("kill") && !part.equals("overhead")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--part': '" + part
                    + "' (expected all, kill or overhead)");
        }
        Optional<KillLatencyBench.Result> kills = Optional.empty();
        Optional<OverheadBench.Result> overhead = Optional.empty();
        // every act names an address literally: the host's resolver is never asked anything
        try (GuardedBackend containment = containments.apply(HostResolver.pinned(Map.of()))) {
            if (!part.equals("overhead")) {
                if (!json) out.println("Measuring act-to-kill, " + runs + " acts of each of " + KillLatencyBench.ACTS.size()
                        + " kinds, a fresh sandbox each...");
                kills = Optional.of(new KillLatencyBench(containment).run(runs, KillLatencyBench.ACTS));
            }
            if (!part.equals("kill")) {
                if (!json) out.println("Measuring overhead, " + overheadRuns + " runs of each workload of each kind after "
                        + warmup + " warm-up runs...");
                try (LocalSandboxBackend plain = new LocalSandboxBackend(baselineConfig(containment))) {
                    overhead = Optional.of(new OverheadBench(containment, plain).run(overheadRuns, warmup));
                }
            }
        }
        MonitorReport report = new MonitorReport(kills, overhead);
        if (json) report.printJson(out);
        else report.print(out);
        return 0;
    }

    /**
     * The baseline's own data dir and uid range, so that nothing of the contained backend (its
     * garbage collection, its uid slots) touches it, and its network is loopback only.
     */
    private static LocalSandboxBackend.Config baselineConfig(GuardedBackend containment) {
        LocalSandboxBackend.Config d = LocalSandboxBackend.Config.defaults();
        return new LocalSandboxBackend.Config(containment.auditFile().getParent().resolve("bench-baseline"),
                d.uidBase() + d.uidCount(), d.uidCount(), SandboxNetwork.loopbackOnly(), d.hiddenHostPaths());
    }
}
