package dev.ale.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Json;
import dev.ale.containment.GuardedBackend;
import dev.ale.gateway.HostResolver;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ale bench scale}: many guarded sandboxes idle with a shell each, some of them busy at once; memory, teardown, leftovers. */
@Command(name = "scale",
        description = {
                "Measure many guarded sandboxes on this machine: SANDBOXES made behind the gateway and under the monitor,",
                "each with a shell that answered `echo ready`; then ACTIVE of them run `" + ScaleBench.ACTIVE_COMMAND + "` at once;",
                "then all are destroyed and the host is searched for anything they left (namespaces, veths, nft chains,",
                "cgroups, mounts, processes). Raise the open-files limit first for more than ~300 (docs/benchmarks.md)."})
public final class BenchScaleCommand implements Callable<Integer> {

    private final Function<HostResolver, GuardedBackend> containments;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--sandboxes", paramLabel = "N", defaultValue = "1000", description = "Sandboxes up at once (default: ${DEFAULT-VALUE}).")
    private int sandboxes;

    @Option(names = "--active", paramLabel = "M", defaultValue = "200",
            description = "Of those, how many run a command at the same moment (default: ${DEFAULT-VALUE}).")
    private int active;

    @Option(names = "--creators", paramLabel = "K", defaultValue = "16",
            description = "Sandboxes being made (and destroyed) at once (default: ${DEFAULT-VALUE}).")
    private int creators;

    @Option(names = "--json", description = "Print one JSON object instead of the report.")
    private boolean json;

    public BenchScaleCommand(Function<HostResolver, GuardedBackend> containments, PrintStream out) {
        this.containments = containments;
        this.out = out;
    }

    @Override
    public Integer call() {
        BenchOptions.atLeast(spec, "--sandboxes", sandboxes, 1);
        BenchOptions.atLeast(spec, "--active", active, 0);
        BenchOptions.atLeast(spec, "--creators", creators, 1);
        if (active > sandboxes) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--active': " + active + " is more than --sandboxes " + sandboxes);
        }
        if (!json) out.println("Making " + sandboxes + " guarded sandboxes, " + creators + " at a time; then " + active
                + " of them busy at once...");
        ScaleBench.Result r;
        GuardedBackend backend = containments.apply(HostResolver.system());
        try {
            r = new ScaleBench(backend).run(sandboxes, active, creators);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        // closing waits for the teardowns a warm pool runs behind each destroy
        long closeStart = System.nanoTime();
        backend.close();
        r = r.leftOnceClosed(System.nanoTime() - closeStart);
        ObjectNode report = report(r);
        if (json) Json.print(out, report);
        else print(r);
        return r.ready() == r.sandboxes() && r.activeOk() == r.active() && r.leftBehind().total() == 0 ? 0 : 3;
    }

    private static ObjectNode report(ScaleBench.Result r) {
        ObjectNode root = Json.object();
        root.put("sandboxes", r.sandboxes());
        root.put("creators", r.creators());
        root.put("ready", r.ready());
        root.put("allReadyMs", r.allReadyNanos() / 1_000_000);
        footprint(root.putObject("before"), r.before());
        footprint(root.putObject("allUp"), r.allUp());
        root.put("sandboxCgroupMemoryBytes", r.sandboxCgroupMemory());
        root.put("hostMemoryPerSandboxBytes", r.memoryPerSandbox());
        root.put("jvmRssPerSandboxBytes", (r.allUp().jvmRss() - r.before().jvmRss()) / Math.max(1, r.sandboxes()));
        root.put("jvmHeapLivePerSandboxBytes", (r.allUp().jvmHeapLive() - r.before().jvmHeapLive()) / Math.max(1, r.sandboxes()));
        ObjectNode idle = root.putObject("idle");
        idle.put("jvmCores", Math.round(r.idle().jvmCores() * 1000) / 1000.0);
        idle.put("monitorSweepCores", Math.round(r.idle().sweepCores() * 1000) / 1000.0);
        ObjectNode a = root.putObject("active");
        a.put("commands", r.active());
        a.put("ok", r.activeOk());
        a.put("allDoneMs", r.activeAllDoneNanos() / 1_000_000);
        a.put("p50Ms", r.activeCalls().p50Millis());
        a.put("p99Ms", r.activeCalls().p99Millis());
        root.put("destroyAllMs", r.destroyAllNanos() / 1_000_000);
        root.put("tornDownAllMs", r.tornDownNanos() / 1_000_000);
        HostLeftovers.Found left = r.leftBehind();
        ObjectNode l = root.putObject("leftBehind");
        l.put("total", left.total());
        l.put("listed", left.listed().size());
        l.put("netns", left.netns().size());
        l.put("veths", left.veths());
        l.put("nftChains", left.nftChains());
        l.put("cgroups", left.cgroups().size());
        l.put("mounts", left.mounts().size());
        l.put("processes", left.processes().size());
        r.errors().stream().limit(20).forEach(root.putArray("errors")::add);
        root.put("errorCount", r.errors().size());
        return root;
    }

    private static void footprint(ObjectNode o, ScaleBench.Footprint f) {
        o.put("memAvailableBytes", f.memAvailable());
        o.put("jvmRssBytes", f.jvmRss());
        o.put("jvmHeapLiveBytes", f.jvmHeapLive());
        o.put("jvmThreads", f.jvmThreads());
        o.put("jvmFds", f.jvmFds());
        o.put("nftTableLines", f.nftLines());
    }

    private void print(ScaleBench.Result r) {
        double mib = 1 << 20;
        out.println(String.format(Locale.ROOT, "Ready: %d of %d in %.1f s (%d made at a time)", r.ready(), r.sandboxes(),
                r.allReadyNanos() / 1e9, r.creators()));
        out.println(String.format(Locale.ROOT, "Memory: %.2f MiB per sandbox taken from the host (MemAvailable), of which cgroups %.2f MiB;"
                        + " ALE's JVM %.0f -> %.0f MiB RSS, live heap %.1f -> %.1f MiB",
                r.memoryPerSandbox() / mib, r.sandboxCgroupMemory() / mib / Math.max(1, r.sandboxes()), r.before().jvmRss() / mib,
                r.allUp().jvmRss() / mib, r.before().jvmHeapLive() / mib, r.allUp().jvmHeapLive() / mib));
        out.println(String.format(Locale.ROOT, "ALE's JVM: threads %d -> %d, open files %d -> %d; nft table %d -> %d lines",
                r.before().jvmThreads(), r.allUp().jvmThreads(), r.before().jvmFds(), r.allUp().jvmFds(), r.before().nftLines(),
                r.allUp().nftLines()));
        out.println(String.format(Locale.ROOT, "Idle: ALE's JVM used %.2f cores, its monitor's sweep thread %.2f", r.idle().jvmCores(),
                r.idle().sweepCores()));
        out.println(String.format(Locale.ROOT, "Active: %d of %d ran `%s` at once, all done in %.2f s (call p50 %.0f ms, p99 %.0f ms)",
                r.activeOk(), r.active(), ScaleBench.ACTIVE_COMMAND, r.activeAllDoneNanos() / 1e9, r.activeCalls().p50Millis(),
                r.activeCalls().p99Millis()));
        HostLeftovers.Found left = r.leftBehind();
        out.println(String.format(Locale.ROOT, "Destroyed all in %.1f s (every process killed), torn down in %.1f s (mounts, netns, rules,"
                        + " cgroups removed); left behind: %d (listed %d, netns %d, veths %d, nft chains %d, cgroups %d, mounts %d, processes %d)",
                r.destroyAllNanos() / 1e9, r.tornDownNanos() / 1e9, left.total(), left.listed().size(), left.netns().size(), left.veths(), left.nftChains(),
                left.cgroups().size(), left.mounts().size(), left.processes().size()));
        if (!r.errors().isEmpty()) {
            out.println(r.errors().size() + " errors, the first:");
            r.errors().stream().limit(10).forEach(e -> out.println("  " + e));
        }
    }
}
