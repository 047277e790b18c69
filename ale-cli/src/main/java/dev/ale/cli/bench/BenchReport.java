package dev.ale.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;

/** The benchmark's figures, as a readable report or one JSON object. */
final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String backend;
    private final LatencyBench.Result latency;
    private final ConcurrencyBench.Result concurrency;
    private final Optional<FilesBench.Result> files;

    BenchReport(String backend, LatencyBench.Result latency, ConcurrencyBench.Result concurrency, Optional<FilesBench.Result> files) {
        this.backend = backend;
        this.latency = latency;
        this.concurrency = concurrency;
        this.files = files;
    }

    void print(PrintStream out) {
        LatencyBench.Result l = latency;
        ConcurrencyBench.Result c = concurrency;
        out.println();
        out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, kernel " + System.getProperty("os.version")
                + ", " + backend + " backend, default passport");
        out.println();
        out.println("Start-up latency, " + l.runs() + " runs of each kind, interleaved, after " + l.warmup() + " warm-up runs");
        out.printf(Locale.ROOT, "  %-44s %9s %9s%n", "", "p50 ms", "p99 ms");
        row(out, "fork/exec /bin/true (from the JVM)", l.fork());
        row(out, "bare bwrap --unshare-all true", l.bwrap());
        for (LatencyBench.PathResult p : l.paths()) {
            out.println("  exec path: " + p.path());
            row(out, "  ALE sandbox: create + exec true + destroy", p.ale());
            row(out, "    create", p.create());
            row(out, "    exec true", p.exec());
            row(out, "    destroy", p.destroy());
            row(out, "  exec true in a sandbox already up", p.liveExec());
            row(out, "  session: open, run true, close (sandbox up)", p.session());
            ratioRow(out, "  create + exec + destroy / bare bwrap", p.ale(), l.bwrap());
            ratioRow(out, "  exec in a live sandbox / fork/exec", p.liveExec(), l.fork());
        }
        ratioRow(out, "bwrap / fork", l.bwrap(), l.fork());
        files.ifPresent(f -> {
            out.println();
            out.println("File API in a sandbox already up, " + FilesBench.SIZE + " bytes, " + f.runs() + " runs of each, interleaved, after "
                    + f.warmup() + " warm-up runs");
            out.printf(Locale.ROOT, "  %-44s %9s %9s%n", "", "p50 ms", "p99 ms");
            row(out, "write: the resident init's WRITE", f.initWrite());
            row(out, "write: the shell script (sh, realpath, cat)", f.shellWrite());
            row(out, "read: the resident init's READ", f.initRead());
            row(out, "read: the shell script (sh, realpath, cat)", f.shellRead());
            ratioRow(out, "write: init / script", f.initWrite(), f.shellWrite());
            ratioRow(out, "read: init / script", f.initRead(), f.shellRead());
        });
        out.println();
        out.println("Concurrency: " + c.sandboxes() + " sandboxes, each with a shell that ran `echo ready`, "
                + c.creators() + " made at a time");
        line(out, "ready", c.ready() + " of " + c.sandboxes());
        line(out, "time until all were ready", seconds(c.allReadyNanos()));
        line(out, "host memory used (MemAvailable drop)", size(c.hostMemoryUsed()) + " (" + size(c.memAvailableBefore())
                + " before, " + size(c.memAvailableDuring()) + " with all up)");
        line(out, "in the sandboxes' own cgroups", size(c.sandboxMemory()));
        line(out, "beyond the shells themselves", size(c.beyondShells()) + " (" + size(c.beyondShells() / Math.max(1, c.sandboxes()))
                + " per sandbox)");
        if (c.beyondShells() < 0) {
            // cgroup memory counts page cache charged to the sandboxes, which MemAvailable still counts as available
            line(out, "", "below zero: nothing measurable beyond the cgroups, whose figure includes page cache");
        }
        line(out, "time to destroy all", seconds(c.destroyAllNanos()));
        line(out, "left behind", c.leftBehind() == 0 ? "nothing (none listed)" : c.leftBehind() + " still listed");
        if (!c.errors().isEmpty()) {
            line(out, "errors", c.errors().size() + ", first: " + c.errors().getFirst());
        }
    }

    void printJson(PrintStream out) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode machine = root.putObject("machine");
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("backend", backend);

        ObjectNode l = root.putObject("latency");
        l.put("runs", latency.runs());
        l.put("warmup", latency.warmup());
        ObjectNode paths = l.putObject("paths");
        for (LatencyBench.PathResult p : latency.paths()) {
            ObjectNode path = paths.putObject(p.path());
            samples(path.putObject("ale"), p.ale());
            ObjectNode breakdown = path.putObject("aleBreakdown");
            samples(breakdown.putObject("create"), p.create());
            samples(breakdown.putObject("exec"), p.exec());
            samples(breakdown.putObject("destroy"), p.destroy());
            samples(path.putObject("liveExec"), p.liveExec());
            samples(path.putObject("session"), p.session());
            ObjectNode ratios = path.putObject("ratios");
            ratios.put("aleOverBwrapP50", ratio(p.ale().p50Millis(), latency.bwrap().p50Millis()));
            ratios.put("aleOverBwrapP99", ratio(p.ale().p99Millis(), latency.bwrap().p99Millis()));
            ratios.put("liveExecOverForkP50", ratio(p.liveExec().p50Millis(), latency.fork().p50Millis()));
            ratios.put("liveExecOverForkP99", ratio(p.liveExec().p99Millis(), latency.fork().p99Millis()));
        }
        samples(l.putObject("bwrap"), latency.bwrap());
        samples(l.putObject("fork"), latency.fork());
        ObjectNode ratios = l.putObject("ratios");
        ratios.put("bwrapOverForkP50", ratio(latency.bwrap().p50Millis(), latency.fork().p50Millis()));
        ratios.put("bwrapOverForkP99", ratio(latency.bwrap().p99Millis(), latency.fork().p99Millis()));

        files.ifPresent(f -> {
            ObjectNode node = root.putObject("files");
            node.put("bytes", FilesBench.SIZE);
            node.put("runs", f.runs());
            samples(node.putObject("initWrite"), f.initWrite());
            samples(node.putObject("shellWrite"), f.shellWrite());
            samples(node.putObject("initRead"), f.initRead());
            samples(node.putObject("shellRead"), f.shellRead());
            node.put("writeInitOverShellP50", ratio(f.initWrite().p50Millis(), f.shellWrite().p50Millis()));
            node.put("readInitOverShellP50", ratio(f.initRead().p50Millis(), f.shellRead().p50Millis()));
        });

        ObjectNode c = root.putObject("concurrency");
        c.put("sandboxes", concurrency.sandboxes());
        c.put("creators", concurrency.creators());
        c.put("ready", concurrency.ready());
        c.put("allReadyMs", concurrency.allReadyNanos() / 1_000_000);
        c.put("memAvailableBeforeBytes", concurrency.memAvailableBefore());
        c.put("memAvailableWithAllUpBytes", concurrency.memAvailableDuring());
        c.put("hostMemoryUsedBytes", concurrency.hostMemoryUsed());
        c.put("sandboxCgroupMemoryBytes", concurrency.sandboxMemory());
        c.put("memoryBeyondShellsBytes", concurrency.beyondShells());
        c.put("destroyAllMs", concurrency.destroyAllNanos() / 1_000_000);
        c.put("leftBehind", concurrency.leftBehind());
        concurrency.errors().forEach(c.putArray("errors")::add);
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private static void samples(ObjectNode node, Samples s) {
        node.put("p50Ms", round(s.p50Millis()));
        node.put("p99Ms", round(s.p99Millis()));
    }

    private static void row(PrintStream out, String label, Samples s) {
        out.printf(Locale.ROOT, "  %-44s %9.2f %9.2f%n", label, s.p50Millis(), s.p99Millis());
    }

    private static void ratioRow(PrintStream out, String label, Samples a, Samples b) {
        out.printf(Locale.ROOT, "  %-44s %8.1fx %8.1fx%n", label, ratio(a.p50Millis(), b.p50Millis()), ratio(a.p99Millis(), b.p99Millis()));
    }

    private static void line(PrintStream out, String label, String value) {
        out.printf(Locale.ROOT, "  %-40s %s%n", label, value);
    }

    private static double ratio(double a, double b) {
        return b > 0 ? round(a / b) : Double.NaN;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** Mebibytes with one decimal, or gibibytes past 10 GiB: the scale these figures live on. */
    private static String size(long bytes) {
        double mib = bytes / (double) (1 << 20);
        return Math.abs(mib) >= 10 * 1024
                ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
                : String.format(Locale.ROOT, "%.1f MiB", mib);
    }
}
