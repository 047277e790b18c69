package dev.ale.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ale.cli.common.Json;
import dev.ale.cli.resident.ResidentClient;
import dev.ale.cli.resident.Wire;
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
 * {@code ale bench cli}: {@code ale sandbox run -- true} from the shell, end to end: as a thin client of a
 * resident ALE (through the launcher, and with java started directly, which shows what the launcher adds),
 * in-process with the launcher's AOT cache, and bare bwrap, interleaved.
 */
@Command(name = "cli",
        description = {
                "Measure `ale sandbox run -- true` from the shell, end to end: as a thin client of a resident ALE",
                "(ale daemon start; through the launcher, and java -jar without it), in-process with the launcher's AOT cache",
                "(ALE_DAEMON=off), and bare bwrap, interleaved. Builds the AOT cache first when it is missing, and starts",
                "(then stops) the data directory's resident ALE unless one runs. Run it through the launcher (./ale)."})
public final class BenchCliCommand implements Callable<Integer> {

    /** The kinds of run, in the order a round starts with; each round rotates it by one. */
    enum Kind {
        THIN("thin"), THIN_DIRECT("thinDirect"), AOT("aot"), BWRAP("bwrap");

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
        // the same client without the launcher: this JVM's java and jar, with the flags the launcher gives a thin run
        List<String> direct = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.ale.cli.Main"));
        direct.addAll(sandboxRun.subList(1, sandboxRun.size()));

        if (!json) out.println("Building the AOT cache if it is missing, starting the resident ALE, then " + runs + " runs of each kind after "
                + warmup + " warm-up runs, interleaved...");
        // the cache is made once here, so that the measured runs only use it
        time(List.of(ale.toString(), "--version"), Map.of("ALE_AOT", "wait"), false);
        Path socket = Wire.socketOf(dataDir.get().toAbsolutePath().normalize());
        boolean ours = ResidentClient.ask(dataDir.get().toAbsolutePath().normalize(), Wire.STATUS).isEmpty();
        if (ours) time(List.of(ale.toString(), "--data-dir", dataDir.get().toString(), "daemon", "start"), Map.of(), false);

        String loadBefore = loadAverage();
        Map<Kind, Samples> samples = new EnumMap<>(Kind.class);
        try {
            for (Kind k : Kind.values()) samples.put(k, new Samples(runs));
            Kind[] kinds = Kind.values();
            for (int round = 0; round < warmup + runs; round++) {
                for (int i = 0; i < kinds.length; i++) {
                    Kind kind = kinds[(round + i) % kinds.length];
                    long took = switch (kind) {
                        case THIN -> time(sandboxRun, Map.of("ALE_AOT", "auto"), true);
                        case THIN_DIRECT -> time(direct, Map.of(), true);
                        case AOT -> time(sandboxRun, Map.of("ALE_AOT", "auto", "ALE_DAEMON", "off"), false);
                        case BWRAP -> time(LatencyBench.BARE_BWRAP, Map.of(), false);
                    };
                    if (round >= warmup) samples.get(kind).add(took);
                }
            }
        } finally {
            if (ours) time(List.of(ale.toString(), "--data-dir", dataDir.get().toString(), "daemon", "stop"), Map.of(), false);
        }
        ObjectNode report = report(sandboxRun, socket, samples);
        report.put("loadAverage", loadBefore + " at the start, " + loadAverage() + " at the end");
        if (json) Json.print(out, report);
        else print(report);
        return 0;
    }

    private ObjectNode report(List<String> sandboxRun, Path socket, Map<Kind, Samples> samples) {
        ObjectNode root = Json.object();
        root.put("runs", runs);
        root.put("warmup", warmup);
        root.put("command", String.join(" ", sandboxRun));
        root.put("socket", socket.toString());
        root.put("bwrapCommand", String.join(" ", LatencyBench.BARE_BWRAP));
        for (Kind k : Kind.values()) {
            ObjectNode s = root.putObject(k.json);
            s.put("p50Ms", round(samples.get(k).p50Millis()));
            s.put("p90Ms", round(samples.get(k).p90Millis()));
        }
        double thin = samples.get(Kind.THIN).p50Millis();
        double direct = samples.get(Kind.THIN_DIRECT).p50Millis();
        double aot = samples.get(Kind.AOT).p50Millis();
        double bwrap = samples.get(Kind.BWRAP).p50Millis();
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("thinOverBwrapP50", round(thin / bwrap));
        ratios.put("thinOverAotP50", round(thin / aot));
        ratios.put("aotOverBwrapP50", round(aot / bwrap));
        ratios.put("thinOverThinDirectP50", round(thin / direct));
        root.put("launcherMsP50", round(thin - direct));
        root.put("targetMs", 250);
        root.put("targetMet", thin <= 250);
        return root;
    }

    private void print(ObjectNode r) {
        out.println("`" + r.get("command").asText() + "`, " + runs + " runs of each kind:");
        out.println(String.format(Locale.ROOT, "  %-40s %10s %10s", "", "p50 ms", "p90 ms"));
        String[][] rows = {{"thin client, resident ALE up (./ale)", "thin"}, {"thin client, java -cp (no launcher)", "thinDirect"},
                {"in-process, AOT cache (ALE_DAEMON=off)", "aot"}, {"bare bwrap", "bwrap"}};
        for (String[] row : rows) {
            out.println(String.format(Locale.ROOT, "  %-40s %10.1f %10.1f", row[0], r.get(row[1]).get("p50Ms").asDouble(),
                    r.get(row[1]).get("p90Ms").asDouble()));
        }
        ObjectNode ratios = (ObjectNode) r.get("ratios");
        out.println(String.format(Locale.ROOT, "  p50 ratios: thin/bwrap %.1fx, thin/in-process %.2fx, in-process/bwrap %.1fx;"
                        + " the launcher adds %.1f ms (%.2fx)", ratios.get("thinOverBwrapP50").asDouble(), ratios.get("thinOverAotP50").asDouble(),
                ratios.get("aotOverBwrapP50").asDouble(), r.get("launcherMsP50").asDouble(), ratios.get("thinOverThinDirectP50").asDouble()));
        out.println("  target: thin client p50 <= 250 ms: " + (r.get("targetMet").asBoolean() ? "met" : "not met"));
        out.println("  load average (1, 5, 15 min): " + r.get("loadAverage").asText());
    }

    /** Wall time of one run from start to exit; a run that fails stops the bench with its stderr. */
    private static long time(List<String> argv, Map<String, String> env, boolean thin) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("ALE_DAEMON");
        pb.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = p.getErrorStream().readAllBytes();
            int exit = p.waitFor();
            long took = System.nanoTime() - start;
            // a thin run that fell back in-process would measure the wrong thing
            if (thin && new String(err, StandardCharsets.UTF_8).contains("in-process")) {
                throw new AleException(Fault.ENVIRONMENT, String.join(" ", argv) + " did not reach the resident ALE: "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
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

    /** The machine's load average (1, 5 and 15 minutes): shared cores make every figure here a function of it. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
