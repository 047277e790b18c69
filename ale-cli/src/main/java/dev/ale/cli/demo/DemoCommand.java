package dev.ale.cli.demo;

import dev.ale.cli.common.ShippedTasks;
import dev.ale.core.AleException;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.containment.GuardedBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ale demo}: a tour for a newcomer. Three sandboxes try what a misbehaving agent would
 * (read secrets, see the host, reach the network, exhaust the machine) and the tour shows what
 * stopped each attempt; then ROME's acts, each caught by the gateway and the monitor; then the
 * example tasks, solved by the replay policy. It exits 0 only when every attempt was contained,
 * every act caught and every task passed.
 */
@Command(name = "demo", description = {"Try to break out of three sandboxes and show what was contained,",
                "then replay ROME's acts (mining, a reverse SSH tunnel, scanning, metadata, a reverse shell,",
                "DNS exfiltration, tampering) behind the gateway and under the monitor, and show what caught each;",
                "then solve every example task with its reference solution through the agent's tools.",
                "Exits 0 only when every attempt was contained and every task passed."})
public final class DemoCommand implements Callable<Integer> {

    private final Supplier<? extends SandboxBackend> backends;
    private final Supplier<GuardedBackend> containments;
    private final PrintStream out;
    private final boolean ansi;

    public DemoCommand(Supplier<? extends SandboxBackend> backends, Supplier<GuardedBackend> containments, PrintStream out,
                       boolean ansi) {
        this.backends = backends;
        this.containments = containments;
        this.out = out;
        this.ansi = ansi;
    }

    @Option(names = "--tasks", paramLabel = "DIR",
            description = "Example tasks to solve with their reference solutions (default: the repository's tasks/examples).")
    private Optional<Path> tasks = Optional.empty();

    @Override
    public Integer call() {
        Style style = new Style(out, ansi);
        long start = System.nanoTime();
        List<Check> checks = new ArrayList<>();
        Progress progress = new Progress(out, style);
        try (SandboxBackend backend = backends.get()) {
            checks.addAll(new ContainmentTour(backend, progress).run());
        }
        try (GuardedBackend containment = containments.get()) {
            checks.addAll(new RomeTour(containment, progress).run());
            checks.addAll(new TaskTour(containment, progress, tasks.orElseGet(() -> ShippedTasks.dir("examples"))).run());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        SummaryTable.print(out, style, checks, took);
        List<String> failed = checks.stream().filter(c -> !c.held()).map(Check::name).toList();
        if (!failed.isEmpty()) {
            throw new AleException(AleException.Fault.ENVIRONMENT, failed.size() + " of " + checks.size()
                    + " containment checks did not hold: " + String.join(", ", failed));
        }
        return 0;
    }
}
