package dev.ale.cli;

import dev.ale.core.sandbox.GarbageReport;
import dev.ale.sandbox.local.LocalSandboxBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ale sandbox gc}: removes what crashed ale processes and expired sandboxes left behind. */
@Command(name = "gc", description = {"Clean up after dead ale processes and expired sandboxes.",
                "Removes what crashed ale processes left behind, and detached sandboxes past their wall time."})
final class SandboxGcCommand implements Callable<Integer> {

    private final Cli cli;

    SandboxGcCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        GarbageReport report;
        try (LocalSandboxBackend backend = cli.openBackend()) {
            report = backend.collectGarbage();
        }
        report.removed().forEach(id -> cli.out().println("removed " + id));
        report.problems().forEach(p -> cli.err().println("ale: could not remove: " + Failures.oneLine(p)));
        if (report.removed().isEmpty() && report.problems().isEmpty()) cli.out().println("Nothing left behind to remove.");
        return report.problems().isEmpty() ? Failures.OK : Failures.ENVIRONMENT;
    }
}
