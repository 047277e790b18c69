package dev.ale.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;

/** The benchmark's figures, as a readable report or one JSON object. */
final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String backend;
    private final LatencyBench.Result latency;
    private final ConcurrencyBench.Result concurrency;

    BenchReport(String backend, LatencyBench.Result latency, ConcurrencyBench.Result concurrency) {
        this.backend = backend;
        this.latency = latency;
        this.concurrency = concurrency;
    }

    void print(PrintStream out) {
        LatencyBench.Result l = latency;
        ConcurrencyBench.Result c = concurrency;
        out.println();
        out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, kernel " + System.getProperty("os.version")
                + ", " + backend + " backend, default passport");
        out.println();
        out.println("Start-up latency, " + l.runs() + " runs of each kind, interleaved, after " + l.warmup() + " warm-up runs");
        out.printf(Locale.ROOT, "  %-40s %9s %9s%n", "", "p50 ms", "p99 ms");
        row(out, "fork/exec /bin/true (from the JVM)", l.fork());
        row(out, "bare bwrap --unshare-all true", l.bwrap());
        row(out, "ALE sandbox: create + exec true + destroy", l.ale());
        row(out, "  create", l.create());
        row(out, "  exec true", l.exec());
        row(out, "  destroy", l.destroy());
        out.printf(Locale.ROOT, "  %-40s %8.1fx %8.1fx%n", "ALE / bwrap", ratio(l.ale().p50Millis(), l.bwrap().p50Millis()),
                ratio(l.ale().p99Millis(), l.bwrap().p99Millis()));
        out.printf(Locale.ROOT, "  %-40s %8.1fx %8.1fx%n", "bwrap / fork", ratio(l.bwrap().p50Millis(), l.fork().p50Millis()),
                ratio(l.bwrap().p99Millis(), l.fork().p99Millis()));
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
        samples(l.putObject("ale"), latency.ale());
        ObjectNode breakdown = l.putObject("aleBreakdown");
        samples(breakdown.putObject("create"), latency.create());
        samples(breakdown.putObject("exec"), latency.exec());
        samples(breakdown.putObject("destroy"), latency.destroy());
        samples(l.putObject("bwrap"), latency.bwrap());
        samples(l.putObject("fork"), latency.fork());
        ObjectNode ratios = l.putObject("ratios");
        ratios.put("aleOverBwrapP50", ratio(latency.ale().p50Millis(), latency.bwrap().p50Millis()));
        ratios.put("aleOverBwrapP99", ratio(latency.ale().p99Millis(), latency.bwrap().p99Millis()));
        ratios.put("bwrapOverForkP50", ratio(latency.bwrap().p50Millis(), latency.fork().p50Millis()));
        ratios.put("bwrapOverForkP99", ratio(latency.bwrap().p99Millis(), latency.fork().p99Millis()));

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
        out.printf(Locale.ROOT, "  %-40s %9.2f %9.2f%n", label, s.p50Millis(), s.p99Millis());
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
