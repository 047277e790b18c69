package dev.ale.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;

/** {@code ale bench gem}'s figures, as a readable report or one JSON object. */
final class GemReport {

    /** Issue 6's target: what HTTP may add to a step at p50. */
    static final double TARGET_ADDED_P50_MS = 2.0;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String loadBefore;
    private final GemStepBench.Latency latency;
    private final GemStepBench.Throughput throughput;

    GemReport(String loadBefore, GemStepBench.Latency latency, GemStepBench.Throughput throughput) {
        this.loadBefore = loadBefore;
        this.latency = latency;
        this.throughput = throughput;
    }

    void print(PrintStream out) {
        GemStepBench.Latency l = latency;
        GemStepBench.Throughput t = throughput;
        out.println();
        out.println("Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, kernel " + System.getProperty("os.version")
                + ", load average before " + loadBefore);
        out.println("Action: " + GemStepBench.TOOL + " " + GemStepBench.ARGUMENTS);
        out.println();
        out.println("Step latency, 1 environment per side, " + l.steps() + " steps each, interleaved, after " + l.warmup() + " warm-up steps");
        out.printf(Locale.ROOT, "  %-22s %9s %9s %9s%n", "", "p50 ms", "p90 ms", "p99 ms");
        row(out, "in-process", l.local().p50Millis(), l.local().p90Millis(), l.local().p99Millis());
        row(out, "over HTTP", l.http().p50Millis(), l.http().p90Millis(), l.http().p99Millis());
        row(out, "HTTP adds", added50(), l.http().p90Millis() - l.local().p90Millis(), l.http().p99Millis() - l.local().p99Millis());
        out.printf(Locale.ROOT, "  %-22s %8.2fx %8.2fx %8.2fx%n", "HTTP / in-process", ratio(l.http().p50Millis(), l.local().p50Millis()),
                ratio(l.http().p90Millis(), l.local().p90Millis()), ratio(l.http().p99Millis(), l.local().p99Millis()));
        out.printf(Locale.ROOT, "  target: under %.1f ms added at p50: %s%n", TARGET_ADDED_P50_MS, met() ? "met" : "MISSED");
        row(out, "HTTP round trip alone", l.roundTrip().p50Millis(), l.roundTrip().p90Millis(), l.roundTrip().p99Millis());
        out.println("  (GET /v1/envs/{id}, interleaved with the steps: the client, the server and the token check, no step)");
        out.println();
        out.println("Throughput, " + t.envs() + " environments per side stepping at once, " + t.rounds() + " rounds of "
                + seconds(t.duration().toNanos()) + " per side, interleaved");
        out.printf(Locale.ROOT, "  %-22s %9s %9s %9s%n", "", "steps", "seconds", "steps/s");
        rate(out, "in-process", t.local());
        rate(out, "over HTTP", t.http());
        out.printf(Locale.ROOT, "  %-22s %28.2fx%n", "HTTP / in-process", ratio(t.http().perSecond(), t.local().perSecond()));
    }

    void printJson(PrintStream out) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode machine = root.putObject("machine");
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("loadAverageBefore", loadBefore);
        ObjectNode action = root.putObject("action");
        action.put("tool", GemStepBench.TOOL);
        action.put("arguments", GemStepBench.ARGUMENTS);

        ObjectNode l = root.putObject("latency");
        l.put("steps", latency.steps());
        l.put("warmup", latency.warmup());
        samples(l.putObject("inProcess"), latency.local());
        samples(l.putObject("http"), latency.http());
        samples(l.putObject("roundTrip"), latency.roundTrip());
        l.put("addedP50Ms", round(added50()));
        l.put("ratioP50", ratio(latency.http().p50Millis(), latency.local().p50Millis()));
        l.put("targetAddedP50Ms", TARGET_ADDED_P50_MS);
        l.put("targetMet", met());

        ObjectNode t = root.putObject("throughput");
        t.put("envs", throughput.envs());
        t.put("rounds", throughput.rounds());
        t.put("secondsPerRound", round(throughput.duration().toNanos() / 1e9));
        rate(t.putObject("inProcess"), throughput.local());
        rate(t.putObject("http"), throughput.http());
        t.put("ratio", ratio(throughput.http().perSecond(), throughput.local().perSecond()));
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    private double added50() {
        return latency.http().p50Millis() - latency.local().p50Millis();
    }

    private boolean met() {
        return added50() < TARGET_ADDED_P50_MS;
    }

    private static void samples(ObjectNode node, Samples s) {
        node.put("p50Ms", round(s.p50Millis()));
        node.put("p90Ms", round(s.p90Millis()));
        node.put("p99Ms", round(s.p99Millis()));
    }

    private static void rate(ObjectNode node, GemStepBench.Rate r) {
        node.put("steps", r.steps());
        node.put("seconds", round(r.nanos() / 1e9));
        node.put("stepsPerSecond", round(r.perSecond()));
    }

    private static void row(PrintStream out, String label, double p50, double p90, double p99) {
        out.printf(Locale.ROOT, "  %-22s %9.2f %9.2f %9.2f%n", label, p50, p90, p99);
    }

    private static void rate(PrintStream out, String label, GemStepBench.Rate r) {
        out.printf(Locale.ROOT, "  %-22s %9d %9.2f %9.1f%n", label, r.steps(), r.nanos() / 1e9, r.perSecond());
    }

    private static double ratio(double a, double b) {
        return b > 0 ? round(a / b) : Double.NaN;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
