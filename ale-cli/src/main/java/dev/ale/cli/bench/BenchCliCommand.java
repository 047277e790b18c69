package dev.ale.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Json;
import dev.ale.core.AleException;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ale bench cli}: {@code ale sandbox run -- true} from the shell, end to end, through the
 * launcher with its AOT cache and without it, interleaved with bare bwrap runs.
 */
@Command(name = "cli",
        description = {
                "Measure `ale sandbox run -- true` from the shell, end to end (launcher, JVM, gateway, sandbox):",
                "with the launcher's AOT cache and without it (ALE_AOT=off), interleaved with bare bwrap runs.",
                "Builds the AOT cache first when it is missing. Run it through the launcher (./ale)."})
public final class BenchCliCommand implements Callable<Integer> {

    /** The kinds of run, in the order a round starts with; each round rotates it by one. */
    enum Kind {
        AOT("aot"), NO_AOT("noAot"), BWRAP("bwrap");

        final String json;

        Kind(String json) {
            this.json = json;
        }
    }

    private final Supplier<Path> dataDir;
    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "30", description = "Measured runs of each kind (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Unmeasured runs of each kind first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--launcher", paramLabel = "FILE",
            description = "The ale launcher to measure (default: the one this command was started by, from $ALE_REPO).")
    private Optional<Path> launcher;

    @Option(names = "--json", description = "Print one JSON object instead of the report.")
    private boolean json;

    public BenchCliCommand(Supplier<Path> dataDir, PrintStream out) {
        this.dataDir = dataDir;
        this.out = out;
    }

    @Override
    public Integer call() {
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        Path ale = launcher.or(() -> Optional.ofNullable(System.getenv("ALE_REPO")).map(repo -> Path.of(repo, "ale")))
                .orElseThrow(() -> new AleException(Fault.INPUT,
                        "ale bench cli measures the launcher: start it as ./ale bench cli, or name one with --launcher"));
        if (!Files.isExecutable(ale)) throw new AleException(Fault.INPUT, "--launcher: " + ale + " is not an executable file");
        List<String> sandboxRun = List.of(ale.toString(), "--data-dir", dataDir.get().toString(), "sandbox", "run", "--", "true");

        if (!json) out.println("Building the AOT cache if it is missing, then " + runs + " runs of each kind after " + warmup
                + " warm-up runs, interleaved...");
        // the cache is made once here, so that the measured runs only use it
        time(List.of(ale.toString(), "--version"), Map.of("ALE_AOT", "wait"));

        Map<Kind, Samples> samples = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) samples.put(k, new Samples(runs));
        Kind[] kinds = Kind.values();
        for (int round = 0; round < warmup + runs; round++) {
            for (int i = 0; i < kinds.length; i++) {
                Kind kind = kinds[(round + i) % kinds.length];
                long took = switch (kind) {
                    case AOT -> time(sandboxRun, Map.of("ALE_AOT", "auto"));
                    case NO_AOT -> time(sandboxRun, Map.of("ALE_AOT", "off"));
                    case BWRAP -> time(LatencyBench.BARE_BWRAP, Map.of());
                };
                if (round >= warmup) samples.get(kind).add(took);
            }
        }
        ObjectNode report = report(sandboxRun, samples);
        if (json) Json.print(out, report);
        else print(report);
        return 0;
    }

    private ObjectNode report(List<String> sandboxRun, Map<Kind, Samples> samples) {
        ObjectNode root = Json.object();
        root.put("runs", runs);
        root.put("warmup", warmup);
        root.put("command", String.join(" ", sandboxRun));
        root.put("bwrapCommand", String.join(" ", LatencyBench.BARE_BWRAP));
        for (Kind k : Kind.values()) {
            ObjectNode s = root.putObject(k.json);
            s.put("p50Ms", round(samples.get(k).p50Millis()));
            s.put("p90Ms", round(samples.get(k).p90Millis()));
        }
        double aot = samples.get(Kind.AOT).p50Millis();
        double noAot = samples.get(Kind.NO_AOT).p50Millis();
        double bwrap = samples.get(Kind.BWRAP).p50Millis();
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("aotOverBwrapP50", round(aot / bwrap));
        ratios.put("noAotOverBwrapP50", round(noAot / bwrap));
        ratios.put("aotOverNoAotP50", round(aot / noAot));
        root.put("targetMs", 250);
        root.put("targetMet", aot <= 250);
        return root;
    }

    private void print(ObjectNode r) {
        out.println("`" + r.get("command").asText() + "`, " + runs + " runs of each kind:");
        out.println(String.format(Locale.ROOT, "  %-22s %10s %10s", "", "p50 ms", "p90 ms"));
        String[][] rows = {{"with the AOT cache", "aot"}, {"without (ALE_AOT=off)", "noAot"}, {"bare bwrap", "bwrap"}};
        for (String[] row : rows) {
            out.println(String.format(Locale.ROOT, "  %-22s %10.1f %10.1f", row[0], r.get(row[1]).get("p50Ms").asDouble(),
                    r.get(row[1]).get("p90Ms").asDouble()));
        }
        ObjectNode ratios = (ObjectNode) r.get("ratios");
        out.println(String.format(Locale.ROOT, "  p50 ratios: AOT/bwrap %.1fx, no AOT/bwrap %.1fx, AOT/no AOT %.2fx; target 250 ms %s",
                ratios.get("aotOverBwrapP50").asDouble(), ratios.get("noAotOverBwrapP50").asDouble(),
                ratios.get("aotOverNoAotP50").asDouble(), r.get("targetMet").asBoolean() ? "met" : "not met"));
    }

    /** Wall time of one run from start to exit; a run that fails stops the bench with its stderr. */
    private static long time(List<String> argv, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = p.getErrorStream().readAllBytes();
            int exit = p.waitFor();
            long took = System.nanoTime() - start;
            if (exit != 0) {
                throw new AleException(Fault.ENVIRONMENT, String.join(" ", argv) + " exited " + exit + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return took;
        } catch (IOException e) {
            throw new AleException(Fault.ENVIRONMENT, "cannot run " + argv.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AleException(Fault.ENVIRONMENT, "interrupted", e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
