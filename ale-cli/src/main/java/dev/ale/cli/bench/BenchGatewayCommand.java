package dev.ale.cli.bench;

import dev.ale.core.passport.ByteSize;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ale bench gateway}: proxy throughput against a direct loopback transfer. */
@Command(name = "gateway",
        description = {
                "Measure the gateway's HTTP(S) proxy: one large transfer through a CONNECT tunnel against",
                "the same transfer straight from the server, both on loopback, interleaved."})
public final class BenchGatewayCommand implements Callable<Integer> {

    private final PrintStream out;

    @Spec
    private CommandSpec spec;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "256MiB",
            description = "Bytes per transfer, e.g. 64MiB, 1GiB (default: ${DEFAULT-VALUE}).")
    private String size;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Measured transfers of each kind (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Unmeasured transfers first (default: ${DEFAULT-VALUE}).")
    private int warmup;

    public BenchGatewayCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        long bytes;
        try {
            bytes = ByteSize.parse(size);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--size': " + e.getMessage());
        }
        if (bytes < 1 << 20) throw new ParameterException(spec.commandLine(), "Invalid value for option '--size': at least 1MiB");
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        out.println("Measuring " + runs + " transfers of " + size + " each way after " + warmup + " warm-up transfers...");
        ProxyThroughputBench.Result r;
        try {
            r = new ProxyThroughputBench().run(bytes, runs, warmup);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
        out.printf(Locale.ROOT, "  %-44s %10s %10s%n", "", "p50 ms", "MiB/s");
        out.printf(Locale.ROOT, "  %-44s %10.1f %10.0f%n", "direct loopback transfer", r.direct().p50Millis(), r.directMibPerSecond());
        out.printf(Locale.ROOT, "  %-44s %10.1f %10.0f%n", "through the proxy (CONNECT tunnel)", r.proxied().p50Millis(), r.proxiedMibPerSecond());
        out.printf(Locale.ROOT, "  %-44s %21.2fx%n", "proxied / direct throughput", r.proxiedMibPerSecond() / r.directMibPerSecond());
        out.println();
        out.printf(Locale.ROOT, "  %-44s %10s%n", "JVM CPU per transfer (all threads)", "p50 ms");
        out.printf(Locale.ROOT, "  %-44s %10.0f%n", "direct loopback transfer", r.directCpu().p50Millis());
        out.printf(Locale.ROOT, "  %-44s %10.0f%n", "through the proxy (CONNECT tunnel)", r.proxiedCpu().p50Millis());
        out.printf(Locale.ROOT, "  %-44s %10.0f%n", "the proxy's relay, CPU ms per GiB", r.proxyCpuMillisPerGib());
        return 0;
    }
}
